// Certificates the project's CA would never issue (custom key usage, key purposes, basic constraints, validity), for
// tests of the install and chain rules: issue normally, patch the fields, and sign the rebuilt DER TBS again.
import { type IssueSpec, issueMatterCert } from "../../src/cert/certificate-authority.ts";
import type { MatterCertExtension } from "../../src/cert/extensions.ts";
import type { MatterCert, MatterCertFields } from "../../src/cert/matter-cert.ts";
import { buildMatterCert } from "../../src/cert/matter-cert-encode.ts";
import { tbsDer } from "../../src/cert/matter-cert-to-x509.ts";
import { matterEpochToDate } from "../../src/cert/matter-epoch.ts";
import type { Crypto } from "../../src/crypto/crypto.ts";
import type { P256PublicKey } from "../../src/crypto/p256.ts";
import type { Chain, TestCa } from "./test-commissioner.ts";

/** What to change in an issued certificate before it is signed again. */
export type CertPatch = {
  readonly keyUsage?: number;
  readonly keyPurposes?: readonly number[];
  readonly basicConstraints?: { readonly isCa: boolean; readonly pathLenConstraint?: number };
  /** Matter-epoch seconds. */
  readonly notBefore?: number;
  /** Matter-epoch seconds; 0 = no well-defined expiration. */
  readonly notAfter?: number;
};

function patchExtension(ext: MatterCertExtension, patch: CertPatch): MatterCertExtension {
  if (ext.type === "keyUsage" && patch.keyUsage !== undefined) return { type: "keyUsage", keyUsage: patch.keyUsage };
  if (ext.type === "extendedKeyUsage" && patch.keyPurposes !== undefined)
    return { type: "extendedKeyUsage", keyPurposes: patch.keyPurposes };
  if (ext.type === "basicConstraints" && patch.basicConstraints !== undefined)
    return { type: "basicConstraints", ...patch.basicConstraints };
  return ext;
}

/** Issues `spec` with the CA's rules, applies `patch`, and signs the patched certificate with `spec.signerKey`. */
export function issuePatched(crypto: Crypto, spec: IssueSpec, patch: CertPatch): MatterCert {
  const issued = issueMatterCert(crypto, spec);
  const fields: MatterCertFields = {
    serialNumber: issued.serialNumber,
    issuer: issued.issuer,
    notBefore: patch.notBefore ?? issued.notBefore,
    notAfter: patch.notAfter ?? issued.notAfter,
    subject: issued.subject,
    publicKey: issued.publicKey,
    extensions: issued.extensions.map((e) => patchExtension(e, patch)),
    signature: new Uint8Array(64),
  };
  return buildMatterCert({ ...fields, signature: crypto.ecdsaSign(spec.signerKey, tbsDer(fields)) });
}

let serial = 50_000n;

/**
 * A chain from `ca` for `subjectKey` with the NOC (and, when `icacPatch` is given, an ICAC signing it) patched.
 * Node id and fabric id as the commissioner would issue them.
 */
export function patchedChain(
  ca: Pick<TestCa, "crypto" | "rcac" | "rootKey" | "icacKey">,
  subjectKey: P256PublicKey,
  options: {
    readonly nodeId: bigint;
    readonly fabricId: bigint;
    readonly nocPatch?: CertPatch;
    readonly icacPatch?: CertPatch;
    /** The fabric id in the ICAC subject: default the NOC's, null for none. */
    readonly icacFabricId?: bigint | null;
  },
): Chain {
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const validity = { notBefore: new Date(now.getTime() - 3600_000), notAfter: new Date(now.getTime() + 86_400_000) };
  let signer = { cert: ca.rcac, key: ca.rootKey };
  let icac: MatterCert | undefined;
  if (options.icacPatch !== undefined) {
    icac = issuePatched(
      ca.crypto,
      {
        serial: serial++,
        issuer: ca.rcac.subject,
        subject: [
          { type: "matterIcacId", value: 0x1ca0_0000_0000_0900n + serial },
          ...(options.icacFabricId === null
            ? []
            : [{ type: "matterFabricId", value: options.icacFabricId ?? options.fabricId } as const]),
        ],
        validity,
        publicKey: ca.icacKey.publicKey,
        signerKey: ca.rootKey,
        authorityKeyId: ca.rcac.subjectKeyId!,
        role: "icac",
      },
      options.icacPatch,
    );
    signer = { cert: icac, key: ca.icacKey };
  }
  const nocCert = issuePatched(
    ca.crypto,
    {
      serial: serial++,
      issuer: signer.cert.subject,
      subject: [
        { type: "matterNodeId", value: options.nodeId },
        { type: "matterFabricId", value: options.fabricId },
      ],
      validity,
      publicKey: subjectKey,
      signerKey: signer.key,
      authorityKeyId: signer.cert.subjectKeyId!,
      role: "noc",
    },
    options.nocPatch ?? {},
  );
  return { rcac: ca.rcac.raw, icac: icac?.raw ?? null, noc: nocCert.raw, nocCert };
}

/** A root for `ca`'s key with the patch applied (e.g. a path length constraint), self-signed again. */
export function patchedRoot(ca: Pick<TestCa, "crypto" | "rcac" | "rootKey">, patch: CertPatch): MatterCert {
  return issuePatched(
    ca.crypto,
    {
      serial: serial++,
      issuer: ca.rcac.subject,
      subject: ca.rcac.subject,
      validity: { notBefore: matterEpochToDate(ca.rcac.notBefore), notAfter: matterEpochToDate(ca.rcac.notAfter) },
      publicKey: ca.rootKey.publicKey,
      signerKey: ca.rootKey,
      role: "rcac",
    },
    patch,
  );
}
