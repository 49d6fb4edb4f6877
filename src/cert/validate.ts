/**
 * Validation of Matter operational certificates and chains RCAC -> [ICAC] -> NOC (Core spec 6.5, 6.6; SDK
 * ValidateChipRCAC, ChipCertificateSet::ValidateCert, FabricTable::VerifyCredentials). Every rule has a stable id
 * (validation-rules.ts); `lintChain` reports all findings, `validateChain` throws the first error as ValidationError.
 * Signature checks need a Crypto; it defaults to `nodeCrypto` because the shared contract has no crypto argument.
 * `validateChain` remembers chains that passed (by their exact bytes, root included) and checks only times again;
 * a root's verified self-signature is remembered on its own, since every peer's chain comes with it.
 */
import { bytesEqual, toHex } from "../bytes/bytes.ts";
import { MalformedError, ValidationError } from "../bytes/errors.ts";
import type { Crypto } from "../crypto/crypto.ts";
import { nodeCrypto } from "../crypto/node-crypto.ts";
import type { P256PublicKey } from "../crypto/p256.ts";
import { dnCats, dnEqual, dnMatterIds, dnToString } from "./dn.ts";
import { KEY_PURPOSE, KEY_USAGE } from "./extensions.ts";
import { MAX_CERT_SERIAL_BYTES, type MatterCert } from "./matter-cert.ts";
import { decodeMatterCert } from "./matter-cert-decode.ts";
import { matterCertPublicKey, verifyMatterCertSignature } from "./matter-cert-signature.ts";
import { MATTER_EPOCH_UNIX_S, matterEpochToDate } from "./matter-epoch.ts";
import { catIdentifier, catVersion, isOperationalNodeId, MAX_CATS_PER_NOC } from "./operational-ids.ts";
import type { ValidationFinding, ValidationRule } from "./validation-rules.ts";

/** Named, documented deviations from the strict rules; each accepted deviation is reported as a warning. */
export type ValidationOptions = {
  /** Accept a 21-octet serial (a 20-byte random value with its sign octet), as some commissioners issue. */
  readonly allow21ByteSerial?: boolean;
  /** Accept an ICAC without a subject key identifier (the NOC's AKID then cannot be matched against it). */
  readonly allowMissingIcacSkid?: boolean;
  /** Accept key usage bits beyond the spec's exact sets (NOC: digitalSignature; CA: keyCertSign + cRLSign). */
  readonly allowExtraKeyUsage?: boolean;
  /** Key purposes the NOC must carry; default clientAuth + serverAuth (Core spec 6.5.11.3). */
  readonly requiredKeyPurposes?: readonly number[];
};

type CertInput = Uint8Array | MatterCert;
type Role = "rcac" | "icac" | "noc";

/** What `validateChain` and `lintChain` take. `at` undefined ignores validity times, as fabric install does. */
export type ChainInput = {
  readonly noc: CertInput;
  readonly icac?: CertInput | undefined;
  readonly rcac: CertInput;
  readonly at?: Date | undefined;
  readonly options?: ValidationOptions | undefined;
  readonly crypto?: Crypto | undefined;
};

/** A validated chain and what it establishes. */
export type ValidatedChain = {
  readonly noc: MatterCert;
  /** The ICAC the chain runs through; undefined when the NOC is signed by the root. */
  readonly icac?: MatterCert;
  readonly rcac: MatterCert;
  /** True when an ICAC was supplied but the NOC is signed directly by the root (the ICAC is ignored). */
  readonly icacUnused: boolean;
  readonly nodeId: bigint;
  readonly fabricId: bigint;
  readonly cats: readonly number[];
  readonly rootPublicKey: Uint8Array;
  /** Accepted deviations and notes. */
  readonly warnings: readonly ValidationFinding[];
};

const CA_KEY_USAGE = KEY_USAGE.keyCertSign | KEY_USAGE.cRLSign;

class Findings {
  readonly list: ValidationFinding[] = [];
  error(rule: ValidationRule, message: string, cert?: Role): void {
    this.list.push(
      cert === undefined ? { rule, message, severity: "error" } : { rule, message, severity: "error", cert },
    );
  }
  warn(rule: ValidationRule, message: string, cert?: Role): void {
    this.list.push(
      cert === undefined ? { rule, message, severity: "warning" } : { rule, message, severity: "warning", cert },
    );
  }
  /** An error, or a warning when `allowed` (a named deviation). */
  deviation(allowed: boolean | undefined, rule: ValidationRule, message: string, cert: Role): void {
    if (allowed === true) this.warn(rule, `${message} (accepted by option)`, cert);
    else this.error(rule, message, cert);
  }
}

function decodeInput(input: CertInput): MatterCert {
  return input instanceof Uint8Array ? decodeMatterCert(input) : input;
}

/** Checks every certificate must pass; returns its imported key, or undefined when the key is not a P-256 point. */
function checkCommon(cert: MatterCert, role: Role, f: Findings, o: ValidationOptions): P256PublicKey | undefined {
  if (cert.serialNumber.length > MAX_CERT_SERIAL_BYTES) {
    f.deviation(
      o.allow21ByteSerial && cert.serialNumber.length === MAX_CERT_SERIAL_BYTES + 1,
      "cert.serial-length",
      `serial number of ${cert.serialNumber.length} octets`,
      role,
    );
  }
  if ((cert.serialNumber[0]! & 0x80) !== 0) f.error("cert.serial-negative", "serial number is negative", role);
  if (cert.notAfter !== 0 && cert.notBefore > cert.notAfter) {
    f.error("cert.validity-order", `NotBefore ${cert.notBefore} is after NotAfter ${cert.notAfter}`, role);
  }
  if (cert.kind === "ambiguous") {
    f.error("cert.subject.matter-id-count", `subject ${dnToString(cert.subject)} has several Matter ids`, role);
  }
  const fabricIds = dnMatterIds(cert.subject, "matterFabricId");
  if (fabricIds.length > 1) f.error("cert.subject.fabric-id-duplicate", "subject has several fabric ids", role);
  if (fabricIds.includes(0n)) f.error("cert.subject.fabric-id-invalid", "fabric id 0", role);
  if (role !== "noc" && dnCats(cert.subject).length > 0) {
    f.error("cert.subject.cat-not-allowed", "CATs in a CA subject", role);
  }
  if (cert.subjectKeyId === undefined) {
    if (role === "icac") f.deviation(o.allowMissingIcacSkid, "cert.skid-missing", "ICAC has no SKID", role);
    else f.error("cert.skid-missing", "no subject key identifier", role);
  }
  if (cert.authorityKeyId === undefined) f.error("cert.akid-missing", "no authority key identifier", role);
  if (cert.basicConstraints === undefined) f.error("cert.basic-constraints-missing", "no basic constraints", role);
  if (cert.keyUsage === undefined) f.error("cert.key-usage-missing", "no key usage", role);
  for (const ext of cert.futureExtensions) {
    // Core spec 6.5.11: an unrecognized extension marked critical makes the certificate unusable.
    if (ext.critical) f.error("chain.critical-unknown-extension", `critical extension ${ext.oid}`, role);
  }
  try {
    return matterCertPublicKey(cert);
  } catch (e) {
    if (!(e instanceof MalformedError)) throw e;
    f.error("cert.public-key", e.message, role);
    return undefined;
  }
}

/** Issuer-role checks at chain depth `depth` (1 = signs the NOC). */
function checkCa(cert: MatterCert, role: Role, depth: number, f: Findings, o: ValidationOptions): void {
  const bc = cert.basicConstraints;
  if (bc !== undefined && !bc.isCa) f.error("ca.not-ca", "basic constraints cA is FALSE", role);
  if (bc?.pathLenConstraint !== undefined) {
    // ValidateChipRCAC: a root pathLenConstraint above 1 is not allowed.
    if (role === "rcac" && bc.pathLenConstraint > 1) {
      f.error("ca.path-len", `root path length constraint ${bc.pathLenConstraint} > 1`, role);
    }
    if (bc.pathLenConstraint < depth - 1) {
      f.error("ca.path-len", `path length constraint ${bc.pathLenConstraint} forbids ${depth - 1} CA(s) below`, role);
    }
  }
  if (cert.keyUsage !== undefined) {
    if ((cert.keyUsage & KEY_USAGE.keyCertSign) === 0) f.error("ca.key-usage", "no keyCertSign", role);
    else if ((cert.keyUsage & ~CA_KEY_USAGE) !== 0) {
      f.deviation(
        o.allowExtraKeyUsage,
        "ca.key-usage",
        `key usage 0x${cert.keyUsage.toString(16)} beyond keyCertSign|cRLSign`,
        role,
      );
    }
  }
}

function checkRcacKind(cert: MatterCert, f: Findings): void {
  if (cert.kind !== "rcac") f.error("rcac.kind", `subject ${dnToString(cert.subject)} is not an RCAC subject`, "rcac");
}

/**
 * Root certificates (decoded objects) whose self-signature verified, per Crypto: a fabric's root comes with every
 * chain of every peer, and the same bytes (one decoded object, see `decodedRoot`) verify the same way every time.
 */
const selfSignedRoots = new WeakMap<Crypto, WeakSet<MatterCert>>();

/** Roots by their bytes, decoded once (decoding is a pure function of the bytes); bounded like the chain cache. */
const decodedRoots = new Map<string, MatterCert>();

function decodedRoot(input: CertInput): MatterCert {
  if (!(input instanceof Uint8Array)) return input;
  const key = bytesKey(input);
  let root = decodedRoots.get(key);
  if (root !== undefined) decodedRoots.delete(key);
  else {
    root = decodeMatterCert(input);
    if (decodedRoots.size >= VALIDATED_CHAIN_CACHE_SIZE) decodedRoots.delete(decodedRoots.keys().next().value!);
  }
  decodedRoots.set(key, root);
  return root;
}

function checkRcacSelf(cert: MatterCert, key: P256PublicKey | undefined, f: Findings, crypto: Crypto): void {
  if (!dnEqual(cert.subject, cert.issuer)) f.error("rcac.issuer-mismatch", "issuer DN differs from subject DN", "rcac");
  if (
    cert.subjectKeyId !== undefined &&
    cert.authorityKeyId !== undefined &&
    !bytesEqual(cert.subjectKeyId, cert.authorityKeyId)
  ) {
    f.error("rcac.akid-mismatch", "AKID differs from SKID", "rcac");
  }
  if (key === undefined) return;
  const verified = selfSignedRoots.get(crypto);
  if (verified?.has(cert)) return;
  if (!verifyMatterCertSignature(crypto, cert, key))
    f.error("rcac.self-signature", "self-signature does not verify", "rcac");
  else if (verified === undefined) selfSignedRoots.set(crypto, new WeakSet([cert]));
  else verified.add(cert);
}

function checkNoc(noc: MatterCert, f: Findings, o: ValidationOptions): void {
  if (noc.kind !== "noc" && noc.kind !== "ambiguous") {
    f.error("noc.kind", `subject ${dnToString(noc.subject)} is not a node subject`, "noc");
  }
  const nodeIds = dnMatterIds(noc.subject, "matterNodeId");
  if (nodeIds.length > 1) f.error("noc.subject.node-id-duplicate", "several node ids", "noc");
  for (const id of nodeIds) {
    if (!isOperationalNodeId(id))
      f.error("noc.subject.node-id-range", `node id 0x${id.toString(16)} is not operational`, "noc");
  }
  if (dnMatterIds(noc.subject, "matterFabricId").length === 0) {
    f.error("noc.subject.fabric-id-missing", "NOC subject has no fabric id", "noc");
  }
  const cats = noc.cats;
  if (cats.length > MAX_CATS_PER_NOC)
    f.error("noc.cat.too-many", `${cats.length} CATs (max ${MAX_CATS_PER_NOC})`, "noc");
  for (const cat of cats) {
    if (catVersion(cat) === 0) f.error("noc.cat.version-zero", `CAT 0x${cat.toString(16)} has version 0`, "noc");
  }
  const ids = cats.map(catIdentifier);
  if (new Set(ids).size !== ids.length) f.error("noc.cat.duplicate-id", "two CATs share an identifier", "noc");
  if (noc.basicConstraints?.isCa === true) f.error("leaf.is-ca", "the NOC is a CA", "noc");
  if (noc.keyUsage !== undefined) {
    if ((noc.keyUsage & KEY_USAGE.digitalSignature) === 0) f.error("leaf.key-usage", "no digitalSignature", "noc");
    else if (noc.keyUsage !== KEY_USAGE.digitalSignature) {
      f.deviation(
        o.allowExtraKeyUsage,
        "leaf.key-usage",
        `key usage 0x${noc.keyUsage.toString(16)} beyond digitalSignature`,
        "noc",
      );
    }
  }
  const required = o.requiredKeyPurposes ?? [KEY_PURPOSE.clientAuth, KEY_PURPOSE.serverAuth];
  const eku = noc.extendedKeyUsage ?? [];
  const missing = required.filter((p) => !eku.includes(p));
  if (missing.length > 0)
    f.error("leaf.ext-key-usage", `extended key usage lacks purpose(s) ${missing.join(", ")}`, "noc");
}

function checkLink(
  child: MatterCert,
  childRole: Role,
  signer: MatterCert,
  signerKey: P256PublicKey | undefined,
  f: Findings,
  crypto: Crypto,
): void {
  if (!dnEqual(child.issuer, signer.subject)) {
    f.error(
      "chain.issuer-mismatch",
      `issuer ${dnToString(child.issuer)} is not ${dnToString(signer.subject)}`,
      childRole,
    );
  }
  if (
    child.authorityKeyId !== undefined &&
    signer.subjectKeyId !== undefined &&
    !bytesEqual(child.authorityKeyId, signer.subjectKeyId)
  ) {
    f.error("chain.akid-mismatch", `AKID ${toHex(child.authorityKeyId)} is not the signer's SKID`, childRole);
  }
  if (signerKey !== undefined && !verifyMatterCertSignature(crypto, child, signerKey)) {
    f.error("chain.signature", "signature does not verify with the signer's key", childRole);
  }
}

function checkTime(cert: MatterCert, role: Role, at: Date, f: Findings): void {
  const now = Math.floor(at.getTime() / 1000);
  // Boundaries are inclusive: NotBefore and NotAfter themselves are valid seconds.
  if (now < MATTER_EPOCH_UNIX_S + cert.notBefore)
    f.error("time.not-yet-valid", `not valid before ${matterEpochToDate(cert.notBefore).toISOString()}`, role);
  if (cert.notAfter !== 0 && now > MATTER_EPOCH_UNIX_S + cert.notAfter)
    f.error("time.expired", `expired at ${matterEpochToDate(cert.notAfter).toISOString()}`, role);
}

type Evaluated = {
  findings: ValidationFinding[];
  noc: MatterCert;
  icac: MatterCert | undefined;
  rcac: MatterCert;
  icacUnused: boolean;
};

/** Every rule for the chain; the time rules only when `at` is given. */
function evaluate(
  noc: MatterCert,
  icacIn: MatterCert | undefined,
  rcac: MatterCert,
  input: ChainInput,
  at: Date | undefined,
): Evaluated {
  const o = input.options ?? {};
  const crypto = input.crypto ?? nodeCrypto;
  const f = new Findings();
  // A NOC signed by the root while an ICAC was supplied: the SDK's path building ignores the ICAC.
  const icacUnused = icacIn !== undefined && dnEqual(noc.issuer, rcac.subject) && !dnEqual(noc.issuer, icacIn.subject);
  const icac = icacUnused ? undefined : icacIn;
  if (icacUnused) f.warn("chain.icac-unused", "the NOC is signed by the root; the supplied ICAC is not used", "icac");

  checkRcacKind(rcac, f);
  const rcacKey = checkCommon(rcac, "rcac", f, o);
  checkRcacSelf(rcac, rcacKey, f, crypto);
  checkCa(rcac, "rcac", icac === undefined ? 1 : 2, f, o);
  let icacKey: P256PublicKey | undefined;
  if (icac !== undefined) {
    icacKey = checkCommon(icac, "icac", f, o);
    if (icac.kind === "rcac" || dnEqual(icac.subject, icac.issuer)) {
      f.error("chain.rcac-as-icac", "a root certificate is presented as the ICAC", "icac");
    } else if (icac.kind !== "icac") {
      f.error("icac.kind", `subject ${dnToString(icac.subject)} is not an ICAC subject`, "icac");
    }
    checkCa(icac, "icac", 1, f, o);
  }
  checkCommon(noc, "noc", f, o);
  checkNoc(noc, f, o);
  const nocFabric = noc.fabricId;
  if (nocFabric !== undefined) {
    if (icac?.fabricId !== undefined && icac.fabricId !== nocFabric) {
      f.error("icac.fabric-id-mismatch", "ICAC fabric id differs from the NOC's", "icac");
    }
    if (rcac.fabricId !== undefined && rcac.fabricId !== nocFabric) {
      f.error("rcac.fabric-id-mismatch", "RCAC fabric id differs from the NOC's", "rcac");
    }
  }
  if (icac !== undefined) {
    checkLink(icac, "icac", rcac, rcacKey, f, crypto);
    checkLink(noc, "noc", icac, icacKey, f, crypto);
  } else {
    checkLink(noc, "noc", rcac, rcacKey, f, crypto);
  }
  if (at !== undefined) {
    checkTime(rcac, "rcac", at, f);
    if (icac !== undefined) checkTime(icac, "icac", at, f);
    checkTime(noc, "noc", at, f);
  }
  return { findings: f.list, noc, icac, rcac, icacUnused };
}

/** Most chains `validateChain` remembers as passed, per Crypto (least recently used dropped first). */
export const VALIDATED_CHAIN_CACHE_SIZE = 32;

/** A chain that passed every rule but the time rules, which depend on the moment of use. */
type PassedChain = Omit<Evaluated, "findings"> & { readonly findings: readonly ValidationFinding[] };

/**
 * Chains that passed, by the exact bytes of NOC, ICAC and RCAC (the trusted root is part of the key), for the default
 * options only, per Crypto (a verification's result belongs to the implementation that computed it). A CASE peer
 * presents the same chain at every session: its signatures are verified once, its validity times at every use.
 */
const passedChains = new WeakMap<Crypto, Map<string, PassedChain>>();

function bytesKey(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");
}

/** The cache key of a chain given as bytes with default options; undefined when it cannot be cached. */
function chainKey(input: ChainInput): string | undefined {
  const { noc, icac, rcac } = input;
  if (input.options !== undefined || !(noc instanceof Uint8Array) || !(rcac instanceof Uint8Array)) return undefined;
  if (icac !== undefined && !(icac instanceof Uint8Array)) return undefined;
  // Lengths first, so that no two different triples give the same string.
  return `${noc.length},${icac?.length ?? -1},${rcac.length}:${bytesKey(noc)}${icac === undefined ? "" : bytesKey(icac)}${bytesKey(rcac)}`;
}

/** Forgets every chain remembered for `crypto` (benchmarks of a first contact; tests). */
export function clearValidatedChains(crypto: Crypto = nodeCrypto): void {
  passedChains.delete(crypto);
}

/**
 * `r` with `findings` (member by member: in V8 `{ ...r, findings }`, a spread followed by more members, takes a slow
 * path that costs microseconds, and a known peer's chain goes through here at every handshake).
 */
function withFindings(r: PassedChain, findings: ValidationFinding[]): Evaluated {
  return { noc: r.noc, icac: r.icac, rcac: r.rcac, icacUnused: r.icacUnused, findings };
}

function timeFindings(r: PassedChain, at: Date): ValidationFinding[] {
  const f = new Findings();
  checkTime(r.rcac, "rcac", at, f);
  if (r.icac !== undefined) checkTime(r.icac, "icac", at, f);
  checkTime(r.noc, "noc", at, f);
  return f.list;
}

function firstErrorOrNothing(findings: readonly ValidationFinding[]): void {
  const first = findings.find((x) => x.severity === "error");
  if (first !== undefined) {
    throw new ValidationError(first.rule, first.cert === undefined ? first.message : `${first.cert}: ${first.message}`);
  }
}

/**
 * Validates RCAC -> [ICAC] -> NOC and returns what it establishes; the first failing rule throws ValidationError and
 * undecodable input throws MalformedError. Time is checked only when `at` is given (inclusive bounds).
 */
export function validateChain(input: ChainInput): ValidatedChain {
  const key = chainKey(input);
  const crypto = input.crypto ?? nodeCrypto;
  let cache = passedChains.get(crypto);
  let r: Evaluated;
  const passed = key === undefined ? undefined : cache?.get(key);
  if (passed !== undefined) {
    // Refresh its position: Map iteration order is insertion order, so the first entry is the least recently used.
    cache!.delete(key!);
    cache!.set(key!, passed);
    const findings =
      input.at === undefined ? [...passed.findings] : [...passed.findings, ...timeFindings(passed, input.at)];
    r = withFindings(passed, findings);
  } else {
    const noc = decodeInput(input.noc);
    const icac = input.icac === undefined ? undefined : decodeInput(input.icac);
    const rcac = decodedRoot(input.rcac);
    // The time rules are evaluated apart so that what is remembered holds at any time.
    const timeless = evaluate(noc, icac, rcac, input, undefined);
    const errorFree = !timeless.findings.some((x) => x.severity === "error");
    if (key !== undefined && errorFree) {
      if (cache === undefined) {
        cache = new Map();
        passedChains.set(crypto, cache);
      }
      if (cache.size >= VALIDATED_CHAIN_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(key, withFindings(timeless, [...timeless.findings]));
    }
    r =
      input.at === undefined
        ? timeless
        : withFindings(timeless, [...timeless.findings, ...timeFindings(timeless, input.at)]);
  }
  firstErrorOrNothing(r.findings);
  const { noc, rcac } = r;
  return {
    noc,
    rcac,
    icacUnused: r.icacUnused,
    nodeId: noc.nodeId!,
    fabricId: noc.fabricId!,
    cats: noc.cats,
    rootPublicKey: rcac.publicKey,
    warnings: r.findings,
    ...(r.icac === undefined ? {} : { icac: r.icac }),
  };
}

/** Every finding for a chain, errors and warnings, not just the first; undecodable certificates give `cert.malformed`. */
export function lintChain(input: ChainInput): ValidationFinding[] {
  const out: ValidationFinding[] = [];
  const tryDecode = (c: CertInput, role: Role): MatterCert | undefined => {
    try {
      return decodeInput(c);
    } catch (e) {
      if (!(e instanceof MalformedError)) throw e;
      out.push({ rule: "cert.malformed", message: e.message, severity: "error", cert: role });
      return undefined;
    }
  };
  const noc = tryDecode(input.noc, "noc");
  const icac = input.icac === undefined ? undefined : tryDecode(input.icac, "icac");
  const rcac = tryDecode(input.rcac, "rcac");
  if (noc === undefined || rcac === undefined || (input.icac !== undefined && icac === undefined)) return out;
  return evaluate(noc, icac, rcac, input, input.at).findings;
}

/** Every finding for a root certificate on its own (AddTrustedRootCertificate, conformance 1.8 step 5). */
export function lintRcac(
  rcacIn: CertInput,
  options: ValidationOptions = {},
  crypto: Crypto = nodeCrypto,
): ValidationFinding[] {
  const rcac = decodeInput(rcacIn);
  const f = new Findings();
  // ValidateChipRCAC order: the certificate type is checked first.
  checkRcacKind(rcac, f);
  const key = checkCommon(rcac, "rcac", f, options);
  checkRcacSelf(rcac, key, f, crypto);
  checkCa(rcac, "rcac", 1, f, options);
  return f.list;
}

/**
 * Validates a root certificate as AddTrustedRootCertificate does (ValidateChipRCAC: type, self-issued, AKID == SKID,
 * CA, pathLen <= 1, keyCertSign, self-signature; time is not checked). Returns the decoded certificate.
 */
export function validateRcac(
  rcacIn: CertInput,
  options: ValidationOptions = {},
  crypto: Crypto = nodeCrypto,
): MatterCert {
  const rcac = decodeInput(rcacIn);
  firstErrorOrNothing(lintRcac(rcac, options, crypto));
  return rcac;
}

/** A rule that needs another certificate of the chain, and why it was not checked. */
export type SkippedRule = { readonly rule: ValidationRule; readonly reason: string };

/** What `lintAlone` checked, found and skipped for one certificate without its chain. */
export type LoneCertLint = {
  readonly role: Role;
  /** Every rule the certificate was checked against, in check order. */
  readonly checked: readonly ValidationRule[];
  readonly findings: readonly ValidationFinding[];
  /** The chain rules that need the issuer or the root. */
  readonly skipped: readonly SkippedRule[];
};

const COMMON_RULES: readonly ValidationRule[] = [
  "cert.serial-length",
  "cert.serial-negative",
  "cert.validity-order",
  "cert.subject.matter-id-count",
  "cert.subject.fabric-id-duplicate",
  "cert.subject.fabric-id-invalid",
  "cert.skid-missing",
  "cert.akid-missing",
  "cert.basic-constraints-missing",
  "cert.key-usage-missing",
  "chain.critical-unknown-extension",
  "cert.public-key",
];
const NOC_RULES: readonly ValidationRule[] = [
  "noc.kind",
  "noc.subject.node-id-duplicate",
  "noc.subject.node-id-range",
  "noc.subject.fabric-id-missing",
  "noc.cat.too-many",
  "noc.cat.version-zero",
  "noc.cat.duplicate-id",
  "leaf.is-ca",
  "leaf.key-usage",
  "leaf.ext-key-usage",
];
const ICAC_RULES: readonly ValidationRule[] = [
  "cert.subject.cat-not-allowed",
  "icac.kind",
  "chain.rcac-as-icac",
  "ca.not-ca",
  "ca.key-usage",
];
const SIGNER = "needs the issuing certificate (-c ICAC or -t RCAC)";
const CHAIN_SKIPPED: readonly SkippedRule[] = [
  { rule: "chain.issuer-mismatch", reason: SIGNER },
  { rule: "chain.akid-mismatch", reason: SIGNER },
  { rule: "chain.signature", reason: `${SIGNER}: its public key verifies the signature` },
  { rule: "ca.path-len", reason: "constrains the certificates below a CA: needs the whole chain" },
  { rule: "rcac.fabric-id-mismatch", reason: "compares with the root's fabric id: needs -t RCAC" },
];

/**
 * Lints one NOC or ICAC without its chain: every rule that depends on the certificate alone (encoding, subject ids,
 * CATs, node id range, extensions, key usage, CA flags, and times when `at` is given), and the chain rules skipped
 * with the reason. A root is linted completely by `lintRcac` (its issuer is itself).
 */
export function lintAlone(certIn: CertInput, at?: Date, options: ValidationOptions = {}): LoneCertLint {
  const cert = decodeInput(certIn);
  const role: Role = cert.kind === "icac" || cert.basicConstraints?.isCa === true ? "icac" : "noc";
  const f = new Findings();
  if (role === "icac") {
    checkCommon(cert, "icac", f, options);
    if (cert.kind === "rcac" || dnEqual(cert.subject, cert.issuer)) {
      f.error("chain.rcac-as-icac", "a self-issued certificate is linted as a root, not as an ICAC", "icac");
    } else if (cert.kind !== "icac") {
      f.error("icac.kind", `subject ${dnToString(cert.subject)} is not an ICAC subject`, "icac");
    }
    checkCa(cert, "icac", 1, f, options);
  } else {
    checkCommon(cert, "noc", f, options);
    checkNoc(cert, f, options);
  }
  if (at !== undefined) checkTime(cert, role, at, f);
  const checked = [
    ...COMMON_RULES,
    ...(role === "noc" ? NOC_RULES : ICAC_RULES),
    ...(at === undefined ? [] : (["time.not-yet-valid", "time.expired"] as const)),
  ];
  const skipped: SkippedRule[] = [...CHAIN_SKIPPED];
  if (role === "noc")
    skipped.push({ rule: "icac.fabric-id-mismatch", reason: "compares with the ICAC's fabric id: needs -c ICAC" });
  if (at === undefined) {
    skipped.push({ rule: "time.not-yet-valid", reason: "no validation time: give --at" });
    skipped.push({ rule: "time.expired", reason: "no validation time: give --at" });
  }
  return { role, checked, findings: f.list, skipped };
}
