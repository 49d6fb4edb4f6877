/**
 * What `validate-cert` and `lint` check for each kind of target certificate. NOC targets use the cert layer's chain
 * validator as is; for RCAC and ICAC targets (which the validator's contract does not take as leaves) this is the
 * thinnest adapter: the validator's RCAC rules, plus the issuer link, signature, CA and time rules for an ICAC.
 */
import { bytesEqual } from "../../bytes/bytes.ts";
import { dnEqual } from "../../cert/dn.ts";
import { KEY_USAGE } from "../../cert/extensions.ts";
import type { MatterCert } from "../../cert/matter-cert.ts";
import { matterCertPublicKey, verifyMatterCertSignature } from "../../cert/matter-cert-signature.ts";
import { matterEpochToDate, NO_WELL_DEFINED_EXPIRATION_S } from "../../cert/matter-epoch.ts";
import { lintChain, lintRcac, type ValidationOptions } from "../../cert/validate.ts";
import type { ValidationFinding } from "../../cert/validation-rules.ts";
import type { Crypto } from "../../crypto/crypto.ts";

/** The chain to check: a target, an optional untrusted ICAC, the trusted root, an optional time. */
export type TargetChain = {
  readonly target: MatterCert;
  readonly icac?: MatterCert | undefined;
  readonly rcac: MatterCert;
  readonly at?: Date | undefined;
  readonly options?: ValidationOptions;
};

/** Most `-c` and `-t` certificates together: chip-cert's set holds 16 certificates, the target included. */
export const MAX_CHAIN_CERTS = 15;

/** True when `signer` is named by `cert` as its issuer (issuer DN, and AKID when both key ids are present). */
function issuedBy(cert: MatterCert, signer: MatterCert): boolean {
  if (!dnEqual(cert.issuer, signer.subject)) return false;
  return (
    cert.authorityKeyId === undefined ||
    signer.subjectKeyId === undefined ||
    bytesEqual(cert.authorityKeyId, signer.subjectKeyId)
  );
}

/**
 * Picks the ICAC and root for `target` from repeated `-c` (untrusted) and `-t` (trusted) certificates, as
 * chip-cert's certificate set finds each issuer by subject DN and key id: the target's issuer among all of them,
 * then that issuer's among the trusted ones. When no path links up, the first of each is used, so the findings
 * name the broken link.
 */
export function selectChain(
  target: MatterCert,
  untrusted: readonly MatterCert[],
  trusted: readonly MatterCert[],
): { readonly icac: MatterCert | undefined; readonly rcac: MatterCert | undefined } {
  const rootFor = (cert: MatterCert) => trusted.find((t) => issuedBy(cert, t));
  if (trusted.some((t) => bytesEqual(t.raw, target.raw))) {
    return { icac: untrusted[0], rcac: target };
  }
  const direct = rootFor(target);
  if (direct !== undefined && untrusted.length === 0) return { icac: undefined, rcac: direct };
  for (const icac of untrusted) {
    if (!issuedBy(target, icac)) continue;
    const root = rootFor(icac);
    if (root !== undefined) return { icac, rcac: root };
  }
  // One -c that is not on the path stays, so that the validator reports it unused (chain.icac-unused).
  if (direct !== undefined) return { icac: untrusted.length === 1 ? untrusted[0] : undefined, rcac: direct };
  return { icac: untrusted[0], rcac: trusted[0] };
}

/** Every finding for `chain`, errors and warnings, in rule order (chain validator first). */
export function lintTarget(crypto: Crypto, chain: TargetChain): ValidationFinding[] {
  const { target, icac, rcac, at } = chain;
  const options = chain.options ?? {};
  if (target.kind === "noc" || rcac.kind !== "rcac") {
    return lintChain({ noc: target.raw, icac: icac?.raw, rcac: rcac.raw, at, options, crypto });
  }
  const findings = [...lintRcac(rcac.raw, options, crypto)];
  if (at !== undefined) findings.push(...timeFindings(rcac, "rcac", at));
  if (bytesEqual(target.raw, rcac.raw)) {
    if (icac !== undefined) findings.push(...lintIcac(crypto, icac, rcac, at));
    return findings;
  }
  if (target.kind === "icac") {
    if (icac !== undefined) {
      findings.push({
        rule: "chain.icac-unused",
        message: "an ICAC target takes no -c certificate",
        severity: "warning",
      });
    }
    findings.push(...lintIcac(crypto, target, rcac, at));
    return findings;
  }
  if (target.kind === "rcac") {
    findings.push({
      rule: "chain.rcac-as-icac",
      message: "target is a root certificate other than the trusted one",
      severity: "error",
      cert: "icac",
    });
    return findings;
  }
  findings.push({
    rule: "noc.kind",
    message: `target is a ${target.kind} certificate, not a NOC, ICAC or RCAC`,
    severity: "error",
    cert: "noc",
  });
  return findings;
}

function lintIcac(crypto: Crypto, icac: MatterCert, rcac: MatterCert, at: Date | undefined): ValidationFinding[] {
  const out: ValidationFinding[] = [];
  const error = (rule: ValidationFinding["rule"], message: string) =>
    out.push({ rule, message, severity: "error", cert: "icac" });
  if (icac.kind === "rcac") error("chain.rcac-as-icac", "a root certificate is presented as the ICAC");
  else if (icac.kind !== "icac") error("icac.kind", `subject is a ${icac.kind} certificate, not an ICAC`);
  if (!dnEqual(icac.issuer, rcac.subject))
    error("chain.issuer-mismatch", "issuer DN differs from the root's subject DN");
  if (icac.authorityKeyId === undefined) error("cert.akid-missing", "no authority key identifier");
  else if (rcac.subjectKeyId === undefined || !bytesEqual(icac.authorityKeyId, rcac.subjectKeyId)) {
    error("chain.akid-mismatch", "authority key identifier differs from the root's subject key identifier");
  }
  if (icac.subjectKeyId === undefined) error("cert.skid-missing", "no subject key identifier");
  if (icac.basicConstraints?.isCa !== true) error("ca.not-ca", "basic constraints do not say cA=TRUE");
  if (icac.keyUsage === undefined) error("cert.key-usage-missing", "no key usage extension");
  else if ((icac.keyUsage & KEY_USAGE.keyCertSign) === 0) error("ca.key-usage", "key usage lacks keyCertSign");
  const rootPathLen = rcac.basicConstraints?.pathLenConstraint;
  if (rootPathLen !== undefined && rootPathLen < 1)
    error("ca.path-len", `root path length ${rootPathLen} allows no ICAC`);
  const rootFabric = rcac.fabricId;
  if (rootFabric !== undefined && icac.fabricId !== undefined && rootFabric !== icac.fabricId) {
    out.push({
      rule: "rcac.fabric-id-mismatch",
      message: "root and ICAC fabric ids differ",
      severity: "error",
      cert: "rcac",
    });
  }
  if (!verifyMatterCertSignature(crypto, icac, matterCertPublicKey(rcac))) {
    error("chain.signature", "signature does not verify with the root's key");
  }
  if (at !== undefined) out.push(...timeFindings(icac, "icac", at));
  return out;
}

/** Time rules with inclusive bounds; NotAfter 0 never expires (Core spec 6.5.6). */
function timeFindings(cert: MatterCert, role: "rcac" | "icac", at: Date): ValidationFinding[] {
  const out: ValidationFinding[] = [];
  if (at.getTime() < matterEpochToDate(cert.notBefore).getTime()) {
    out.push({
      rule: "time.not-yet-valid",
      message: `not valid before ${matterEpochToDate(cert.notBefore).toISOString()}`,
      severity: "error",
      cert: role,
    });
  }
  if (cert.notAfter !== NO_WELL_DEFINED_EXPIRATION_S && at.getTime() > matterEpochToDate(cert.notAfter).getTime()) {
    out.push({
      rule: "time.expired",
      message: `expired at ${matterEpochToDate(cert.notAfter).toISOString()}`,
      severity: "error",
      cert: role,
    });
  }
  return out;
}

/** One `rule-id: [cert: ]message` line per finding (warnings marked). */
export function formatFinding(f: ValidationFinding): string {
  return `${f.rule}: ${f.cert !== undefined ? `${f.cert}: ` : ""}${f.message}${f.severity === "warning" ? " (warning)" : ""}`;
}
