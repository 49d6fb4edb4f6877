/**
 * Device attestation verification, commissioner side (Core spec §6.2.3 "Device Attestation Procedure", §11.18.4.7,
 * §6.3.1): the checks of the reference SDK's DefaultDACVerifier::VerifyAttestationInformation,
 * ValidateCertificationDeclarationSignature, ValidateCertificateDeclarationPayload and the revocation delegate's
 * CheckForRevokedDACChain (connectedhomeip src/credentials/attestation_verifier/DefaultDeviceAttestationVerifier.cpp,
 * TestDACRevocationDelegateImpl.cpp; result names from DeviceAttestationVerifier.h).
 *
 * Order: input sizes; PAI and DAC format; PAA lookup by the PAI's AKID; chain validation at the DAC's notBefore (with
 * the DAC/PAI/PAA VID/PID rules); the DAC against the current time, when one is given; revocation of DAC and PAI;
 * AttestationElements decode, nonce, signature over elements || challenge; CD signer lookup by the CMS key id, CD
 * signature, certification type against the signer; CD fields against BasicInformation, DAC, PAI and PAA. The SDK
 * checks the attestation signature before the PAA lookup and runs revocation as a later commissioning step; a device
 * that breaks one rule gets the same answer either way, a device that breaks several may be named by another rule.
 * Deliberate differences: the CD's security_level, security_information and device_type_id are checked
 * (validateCertificationDeclaration, TC_DA_1_2) where the SDK ignores them; a production store refuses the public test
 * PAAs, the test CD signer and certification_type 0, each with its own rule, where the SDK has build-time switches.
 */
import { bytesEqual, toHex } from "../bytes/bytes.ts";
import { type ErrorCode, MalformedError, ValidationError } from "../bytes/errors.ts";
import type { Crypto } from "../crypto/crypto.ts";
import { P256PublicKey } from "../crypto/p256.ts";
import { type AttestationCert, checkAttestationCertFormat, validateAttestationChain } from "./attestation-cert.ts";
import {
  ATTESTATION_CHALLENGE_BYTES,
  ATTESTATION_NONCE_BYTES,
  decodeAttestationElements,
  MAX_ATTESTATION_ELEMENTS_BYTES,
  verifyAttestationSignature,
} from "./attestation-elements.ts";
import { type AttestationTrustStore, isTestCdSignerKeyId, isTestPaaKeyId } from "./attestation-trust-store.ts";
import {
  type CertificationDeclaration,
  CertificationType,
  certificationDeclarationSignerKeyId,
  validateCertificationDeclaration,
  verifyCertificationDeclaration,
} from "./certification-declaration.ts";
import type { RevocationSet } from "./revocation-set.ts";

/** Length of the raw r||s AttestationSignature, in bytes. */
const ATTESTATION_SIGNATURE_BYTES = 64;

/** What the commissioner received from the device (or, offline, a CD file) and what it read from BasicInformation. */
export type DeviceAttestationInput = {
  /** X.509 DER (CertificateChainResponse, type DAC). */
  readonly dac: Uint8Array;
  /** X.509 DER (CertificateChainResponse, type PAI). */
  readonly pai: Uint8Array;
  /** The device's AttestationResponse, the AttestationNonce sent and the session's AttestationChallenge … */
  readonly attestation?: {
    readonly elements: Uint8Array;
    readonly signature: Uint8Array;
    readonly nonce: Uint8Array;
    readonly challenge: Uint8Array;
  };
  /** … or a CMS-signed CD (offline check without a device). */
  readonly cd?: Uint8Array;
  /** BasicInformation.VendorID; when absent with productId, the DAC's VID/PID stand in (offline check). */
  readonly vendorId?: number;
  /** BasicInformation.ProductID. */
  readonly productId?: number;
};

/** The trust anchors, an optional revocation set and the current time (no time: the DAC's validity is not checked). */
export type DeviceAttestationOptions = {
  readonly trust: AttestationTrustStore;
  readonly revocation?: RevocationSet;
  readonly now?: Date;
};

/** A device that passed attestation: its VID/PID (from the DAC), its PAA, its CD and what was not (or only weakly) checked. */
export type VerifiedAttestation = {
  vendorId: number;
  productId: number;
  paaSubjectKeyId: Uint8Array;
  /** The PAA is one of the public connectedhomeip test PAAs. */
  testPaa: boolean;
  cd: CertificationDeclaration;
  certificationType: number;
  warnings: string[];
};

/** The SDK's AttestationVerificationResult names (DeviceAttestationVerifier.h) this verifier reports. */
export type AttestationVerificationResult =
  | "kPaaNotFound"
  | "kPaaExpired"
  | "kPaaSignatureInvalid"
  | "kPaaFormatInvalid"
  | "kPaiExpired"
  | "kPaiSignatureInvalid"
  | "kPaiRevoked"
  | "kPaiFormatInvalid"
  | "kPaiVendorIdMismatch"
  | "kPaiMissing"
  | "kPaiAndDacRevoked"
  | "kDacExpired"
  | "kDacSignatureInvalid"
  | "kDacRevoked"
  | "kDacFormatInvalid"
  | "kDacVendorIdMismatch"
  | "kDacProductIdMismatch"
  | "kAttestationSignatureInvalid"
  | "kAttestationElementsMalformed"
  | "kAttestationNonceMismatch"
  | "kAttestationSignatureInvalidFormat"
  | "kCertificationDeclarationNoKeyId"
  | "kCertificationDeclarationNoCertificateFound"
  | "kCertificationDeclarationInvalidSignature"
  | "kCertificationDeclarationInvalidFormat"
  | "kCertificationDeclarationInvalidVendorId"
  | "kCertificationDeclarationInvalidProductId"
  | "kCertificationDeclarationInvalidPAA"
  | "kInvalidArgument";

/**
 * A device attestation failure: `rule` is this library's stable rule id (`paa.not-trusted`, `revocation.dac`,
 * `chain.pai-akid`, `cd.vendor-id`, ...), `result` the SDK's AttestationVerificationResult for the same failure.
 */
export class AttestationError extends ValidationError {
  readonly result: AttestationVerificationResult;
  constructor(rule: ErrorCode, message: string, result: AttestationVerificationResult, options?: ErrorOptions) {
    super(rule, message, options);
    this.result = result;
  }
}

const hex = (b: Uint8Array) => toHex(b).toUpperCase();
const short = (b: Uint8Array) => (b.length > 8 ? `${hex(b.subarray(0, 8))}…` : hex(b));
const hex4 = (v: number) => `0x${v.toString(16).toUpperCase().padStart(4, "0")}`;

function fail(rule: ErrorCode, message: string, result: AttestationVerificationResult, cause?: unknown): never {
  throw new AttestationError(rule, message, result, cause === undefined ? undefined : { cause });
}

/** The message of a ValidationError without its `rule: ` prefix. */
function bareMessage(e: ValidationError): string {
  const prefix = `${e.rule}: `;
  return e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
}

/** The SDK result for a chain rule of validateAttestationChain (MapError: a broken chain is kDacSignatureInvalid). */
function chainResult(rule: string): AttestationVerificationResult {
  const table: Record<string, AttestationVerificationResult> = {
    "dac.signature": "kDacSignatureInvalid",
    "dac.validity": "kDacExpired",
    "pai.signature": "kPaiSignatureInvalid",
    "pai.validity": "kPaiExpired",
    "paa.signature": "kPaaSignatureInvalid",
    "paa.validity": "kPaaExpired",
    "chain.vid-mismatch": "kDacVendorIdMismatch",
    "chain.pid-mismatch": "kDacProductIdMismatch",
    "chain.paa-vid-mismatch": "kPaiVendorIdMismatch",
  };
  const known = table[rule];
  if (known !== undefined) return known;
  if (rule.startsWith("dac.")) return "kDacFormatInvalid";
  if (rule.startsWith("pai.")) return "kPaiFormatInvalid";
  if (rule.startsWith("paa.")) return "kPaaFormatInvalid";
  return "kDacSignatureInvalid";
}

/** The SDK result for a CD payload rule of validateCertificationDeclaration. */
function cdResult(rule: string): AttestationVerificationResult {
  switch (rule) {
    case "cd.vendor-id":
    case "cd.dac-vendor-id":
    case "cd.pai-vendor-id":
      return "kCertificationDeclarationInvalidVendorId";
    case "cd.product-id":
    case "cd.dac-product-id":
    case "cd.pai-product-id":
      return "kCertificationDeclarationInvalidProductId";
    case "cd.dac-origin":
      return "kCertificationDeclarationInvalidVendorId";
    case "cd.authorized-paa":
      return "kCertificationDeclarationInvalidPAA";
    case "cd.format-version":
    case "cd.certification-type":
      return "kAttestationElementsMalformed";
    default:
      return "kCertificationDeclarationInvalidFormat";
  }
}

function checkFormat(der: Uint8Array, kind: "dac" | "pai"): AttestationCert {
  const result = kind === "dac" ? "kDacFormatInvalid" : "kPaiFormatInvalid";
  try {
    return checkAttestationCertFormat(der, kind);
  } catch (e) {
    if (e instanceof ValidationError) fail(e.rule, bareMessage(e), result, e);
    if (e instanceof MalformedError)
      fail(`${kind}.malformed`, `${kind.toUpperCase()} is not DER X.509: ${e.message}`, result, e);
    throw e;
  }
}

function checkInput(input: DeviceAttestationInput): void {
  if ((input.attestation === undefined) === (input.cd === undefined)) {
    throw new TypeError("verifyDeviceAttestation needs either `attestation` or `cd`, not both");
  }
  if ((input.vendorId === undefined) !== (input.productId === undefined)) {
    throw new TypeError("vendorId and productId go together");
  }
  if (input.pai.length === 0) fail("attestation.pai-missing", "the device sent no PAI", "kPaiMissing");
  if (input.dac.length === 0) fail("attestation.invalid-argument", "the device sent no DAC", "kInvalidArgument");
  const a = input.attestation;
  if (a === undefined) return;
  if (a.elements.length === 0 || a.elements.length > MAX_ATTESTATION_ELEMENTS_BYTES) {
    fail(
      "attestation.invalid-argument",
      `AttestationElements is ${a.elements.length} bytes (1..${MAX_ATTESTATION_ELEMENTS_BYTES})`,
      "kInvalidArgument",
    );
  }
  if (a.nonce.length !== ATTESTATION_NONCE_BYTES) {
    throw new RangeError(`the AttestationNonce sent must be ${ATTESTATION_NONCE_BYTES} bytes`);
  }
  if (a.challenge.length !== ATTESTATION_CHALLENGE_BYTES) {
    throw new RangeError(`the AttestationChallenge must be ${ATTESTATION_CHALLENGE_BYTES} bytes`);
  }
  if (a.signature.length !== ATTESTATION_SIGNATURE_BYTES) {
    fail(
      "attestation.signature-format",
      `AttestationSignature is ${a.signature.length} bytes, not ${ATTESTATION_SIGNATURE_BYTES}`,
      "kAttestationSignatureInvalidFormat",
    );
  }
}

/**
 * Verifies a device's attestation information like the SDK's DefaultDACVerifier (see the module doc for the order).
 * Returns what was verified; every failure is one AttestationError naming its rule and the offending value. API
 * misuse (neither or both of `attestation` and `cd`, a nonce or challenge of the wrong size) is TypeError/RangeError.
 */
export function verifyDeviceAttestation(
  crypto: Crypto,
  input: DeviceAttestationInput,
  options: DeviceAttestationOptions,
): VerifiedAttestation {
  checkInput(input);
  const { trust } = options;
  const warnings: string[] = [];

  // Certificate format, PAI first as the SDK (kPaiFormatInvalid, kDacFormatInvalid).
  const pai = checkFormat(input.pai, "pai");
  checkFormat(input.dac, "dac");

  // PAA lookup by the PAI's AKID (kPaaNotFound); a production store names the public test PAAs.
  const paiAkid = pai.authorityKeyId!;
  if (!trust.isDevelopment && isTestPaaKeyId(paiAkid)) {
    fail(
      "paa.test-in-production",
      `PAA is a public test PAA (SKID ${hex(paiAkid)}), refused by a production trust store`,
      "kPaaNotFound",
    );
  }
  const paa =
    trust.findPaa(paiAkid) ?? fail("paa.not-trusted", `PAA not trusted (AKID ${hex(paiAkid)})`, "kPaaNotFound");

  // The chain at the DAC's notBefore, with the DAC/PAI/PAA VID and PID rules.
  let chain: ReturnType<typeof validateAttestationChain>;
  try {
    chain = validateAttestationChain(crypto, { dac: input.dac, pai: input.pai, paa: paa.der });
  } catch (e) {
    if (e instanceof ValidationError) fail(e.rule, bareMessage(e), chainResult(e.rule), e);
    throw e;
  }

  // IsCertificateValidAtCurrentTime(DAC) -> kDacExpired; without a clock this check is skipped, as in the SDK.
  if (options.now === undefined) {
    warnings.push("DAC validity not checked against the current time (no time given)");
  } else {
    const t = options.now.getTime();
    const dacX = chain.dac.x509;
    if (t < dacX.notBefore.getTime() || t > dacX.notAfter.getTime()) {
      fail(
        "dac.expired",
        `DAC not valid at ${options.now.toISOString()} (valid ${dacX.notBefore.toISOString()} .. ${dacX.notAfter.toISOString()})`,
        "kDacExpired",
      );
    }
  }

  // Revocation of DAC and PAI (CheckForRevokedDACChain).
  if (options.revocation === undefined) {
    warnings.push("no revocation set: DAC and PAI revocation not checked");
  } else {
    const dacRevoked = options.revocation.isRevoked(chain.dac.x509);
    const paiRevoked = options.revocation.isRevoked(chain.pai.x509);
    const serial = (c: AttestationCert) => hex(c.x509.serial);
    if (dacRevoked && paiRevoked) {
      fail(
        "revocation.pai-and-dac",
        `PAI (serial ${serial(chain.pai)}) and DAC (serial ${serial(chain.dac)}) are revoked`,
        "kPaiAndDacRevoked",
      );
    }
    if (dacRevoked) fail("revocation.dac", `DAC revoked (serial ${serial(chain.dac)})`, "kDacRevoked");
    if (paiRevoked) fail("revocation.pai", `PAI revoked (serial ${serial(chain.pai)})`, "kPaiRevoked");
  }

  // AttestationElements, nonce and signature (or, offline, the CD file alone).
  let cms: Uint8Array;
  const a = input.attestation;
  if (a !== undefined) {
    let elements: ReturnType<typeof decodeAttestationElements>;
    try {
      elements = decodeAttestationElements(a.elements);
    } catch (e) {
      if (e instanceof MalformedError) {
        fail("attestation.elements-malformed", `AttestationElements: ${e.message}`, "kAttestationElementsMalformed", e);
      }
      throw e;
    }
    if (!bytesEqual(elements.attestationNonce, a.nonce)) {
      fail(
        "attestation.nonce-mismatch",
        `attestation_nonce ${short(elements.attestationNonce)} is not the nonce sent (${short(a.nonce)})`,
        "kAttestationNonceMismatch",
      );
    }
    const dacKey = P256PublicKey.fromRaw(chain.dac.x509.publicKey);
    if (!verifyAttestationSignature(crypto, dacKey, a.elements, a.challenge, a.signature)) {
      fail(
        "attestation.signature",
        `AttestationSignature ${short(a.signature)} does not verify with the DAC key`,
        "kAttestationSignatureInvalid",
      );
    }
    if (elements.firmwareInformation !== undefined) warnings.push("firmware_information present and not checked");
    cms = elements.certificationDeclaration;
  } else {
    cms = input.cd!;
  }

  // CD signer by the CMS key id, signature, and certification type against the signer.
  let keyId: Uint8Array;
  try {
    keyId = certificationDeclarationSignerKeyId(cms);
  } catch (e) {
    if (e instanceof MalformedError) {
      fail("cd.cms-malformed", `CD CMS envelope: ${e.message}`, "kCertificationDeclarationNoKeyId", e);
    }
    throw e;
  }
  if (!trust.isDevelopment && isTestCdSignerKeyId(keyId)) {
    fail(
      "cd.test-signer-in-production",
      `CD signed by the public test CD signer (key id ${hex(keyId)}), refused by a production trust store`,
      "kCertificationDeclarationNoCertificateFound",
    );
  }
  const signer =
    trust.findCdSigner(keyId) ??
    fail(
      "cd.signer-not-trusted",
      `CD signer not trusted (key id ${hex(keyId)})`,
      "kCertificationDeclarationNoCertificateFound",
    );
  let cd: CertificationDeclaration;
  try {
    cd = verifyCertificationDeclaration(crypto, cms, signer.publicKey, signer.subjectKeyId);
  } catch (e) {
    if (e instanceof ValidationError) {
      fail(
        "cd.signature",
        `CD signature (${signer.name}): ${bareMessage(e)}`,
        "kCertificationDeclarationInvalidSignature",
        e,
      );
    }
    if (e instanceof MalformedError)
      fail("cd.malformed", `CD: ${e.message}`, "kCertificationDeclarationInvalidFormat", e);
    throw e;
  }
  // The SDK allows the test key only for certification_type 0 (development and test).
  if (signer.test && cd.certificationType !== CertificationType.developmentAndTest) {
    fail(
      "cd.test-signer-certification-type",
      `certification_type ${cd.certificationType} signed by the test CD signer (only 0 allowed)`,
      "kCertificationDeclarationNoCertificateFound",
    );
  }
  if (!trust.isDevelopment && cd.certificationType === CertificationType.developmentAndTest) {
    fail(
      "cd.development-type-in-production",
      "certification_type 0 (development and test), refused by a production trust store",
      "kCertificationDeclarationInvalidFormat",
    );
  }

  // CD fields against BasicInformation, DAC, PAI and the PAA's SKID (authorized_paa_list).
  const basic =
    input.vendorId !== undefined && input.productId !== undefined
      ? { vendorId: input.vendorId, productId: input.productId }
      : undefined;
  if (basic === undefined) {
    warnings.push(
      `BasicInformation VendorID/ProductID not given: the CD was checked against the DAC's (${hex4(chain.vendorId)}/${hex4(chain.productId)})`,
    );
  }
  try {
    validateCertificationDeclaration(cd, {
      vendorId: basic?.vendorId ?? chain.vendorId,
      productId: basic?.productId ?? chain.productId,
      dac: { vendorId: chain.vendorId, productId: chain.productId },
      pai: {
        vendorId: chain.pai.vendorId!,
        ...(chain.pai.productId !== undefined ? { productId: chain.pai.productId } : {}),
      },
      paiAuthorityKeyId: paa.subjectKeyId,
    });
  } catch (e) {
    if (e instanceof ValidationError) fail(e.rule, bareMessage(e), cdResult(e.rule), e);
    throw e;
  }

  if (paa.test) warnings.push(`PAA is a public test PAA (${paa.source})`);
  if (signer.test) warnings.push("CD signed by the public test CD signer");
  if (cd.certificationType === CertificationType.developmentAndTest) {
    warnings.push("certification_type 0 (development and test)");
  }
  return {
    vendorId: chain.vendorId,
    productId: chain.productId,
    paaSubjectKeyId: paa.subjectKeyId,
    testPaa: paa.test,
    cd,
    certificationType: cd.certificationType,
    warnings,
  };
}
