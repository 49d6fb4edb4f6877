/**
 * Attestation Elements (Core spec §11.18.4.7, conformance doc §3.2) and the attestation signature (§6.2.3.1, §11.18.4.9):
 * ECDSA-P256-SHA256 with the DAC key over `elements || AttestationChallenge`, for AttestationElements and NOCSRElements.
 *
 * ```
 * attestation-elements-message ::= anonymous STRUCTURE {
 *   certification_declaration [1] : OCTET STRING      -- CMS SignedData (DER)
 *   attestation_nonce         [2] : OCTET STRING (32)
 *   timestamp                 [3] : UNSIGNED INTEGER (32-bit, epoch-s; SDK writes 0)
 *   firmware_information      [4, optional] : OCTET STRING
 *   <vendor-reserved>         fully-qualified profile tags, 0..N
 * }   total <= RESP_MAX (900 bytes)
 * ```
 */
import { type ErrorCode, MalformedError } from "../bytes/errors.ts";
import type { Crypto } from "../crypto/crypto.ts";
import type { P256PrivateKey, P256PublicKey } from "../crypto/p256.ts";
import { decodeTlv } from "../tlv/tlv-decoder.ts";
import { encodeTlv } from "../tlv/tlv-encoder.ts";
import { ANONYMOUS, ctx, qualifiedTag, type TlvNode } from "../tlv/tlv-node.ts";

/** RESP_MAX: the largest AttestationElements, in bytes. */
export const MAX_ATTESTATION_ELEMENTS_BYTES = 900;
/** AttestationNonce length, in bytes. */
export const ATTESTATION_NONCE_BYTES = 32;
/** AttestationChallenge length (from the secure session's key derivation, Core spec §4.13.2.6.1), in bytes. */
export const ATTESTATION_CHALLENGE_BYTES = 16;

/** One vendor-reserved element: a fully-qualified tag and an octet-string value. */
export type VendorReservedElement = {
  readonly vendorId: number;
  readonly profileNum: number;
  readonly tagNumber: number;
  readonly value: Uint8Array;
};

/** The decoded Attestation Elements. */
export type AttestationElements = {
  readonly certificationDeclaration: Uint8Array;
  readonly attestationNonce: Uint8Array;
  /** Epoch seconds; the SDK writes 0. */
  readonly timestamp: number;
  readonly firmwareInformation?: Uint8Array;
  readonly vendorReserved: readonly VendorReservedElement[];
};

const TAG = { certificationDeclaration: 1, attestationNonce: 2, timestamp: 3, firmwareInformation: 4 } as const;

/** Encodes Attestation Elements; a bad nonce length, timestamp or a result over 900 bytes is a RangeError. */
export function encodeAttestationElements(e: AttestationElements): Uint8Array {
  if (e.attestationNonce.length !== ATTESTATION_NONCE_BYTES) {
    throw new RangeError(`AttestationNonce must be ${ATTESTATION_NONCE_BYTES} bytes`);
  }
  if (!Number.isInteger(e.timestamp) || e.timestamp < 0 || e.timestamp > 0xffffffff) {
    throw new RangeError(`timestamp out of uint32 range: ${e.timestamp}`);
  }
  const elements: TlvNode[] = [
    { tag: ctx(TAG.certificationDeclaration), type: "bytes", value: e.certificationDeclaration },
    { tag: ctx(TAG.attestationNonce), type: "bytes", value: e.attestationNonce },
    { tag: ctx(TAG.timestamp), type: "uint", value: BigInt(e.timestamp) },
  ];
  if (e.firmwareInformation !== undefined) {
    elements.push({ tag: ctx(TAG.firmwareInformation), type: "bytes", value: e.firmwareInformation });
  }
  for (const v of e.vendorReserved) {
    elements.push({ tag: qualifiedTag(v.vendorId, v.profileNum, v.tagNumber), type: "bytes", value: v.value });
  }
  const out = encodeTlv({ tag: ANONYMOUS, type: "struct", elements });
  if (out.length > MAX_ATTESTATION_ELEMENTS_BYTES) {
    throw new RangeError(`AttestationElements is ${out.length} bytes, over ${MAX_ATTESTATION_ELEMENTS_BYTES}`);
  }
  return out;
}

function bad(code: ErrorCode, message: string, path: string, offset?: number): never {
  throw new MalformedError(code, message, offset === undefined ? { path } : { path, offset });
}

/**
 * Decodes Attestation Elements as the SDK's DeconstructAttestationElements: tags 1, 2, 3 first and in that order,
 * then context tags in increasing order (4 is firmware_information, others are tolerated and skipped), then only
 * fully-qualified vendor-reserved octet strings. AttestationNonce is 32 bytes; the total is <= 900 bytes.
 */
export function decodeAttestationElements(bytes: Uint8Array): AttestationElements {
  if (bytes.length > MAX_ATTESTATION_ELEMENTS_BYTES) {
    bad("attestation-elements.size", `${bytes.length} bytes, over ${MAX_ATTESTATION_ELEMENTS_BYTES}`, "attestation");
  }
  const root = decodeTlv(bytes, { path: "attestation" });
  if (root.type !== "struct" || root.tag.form !== "anonymous") {
    bad("attestation-elements.schema", "not an anonymous structure", "attestation", root.offset);
  }
  const [cd, nonce, ts, ...rest] = root.elements;
  const expect = (el: TlvNode | undefined, id: number, name: string): TlvNode => {
    if (el === undefined) bad("attestation-elements.schema", `missing ${name} [${id}]`, `attestation/${name}`);
    if (el.tag.form !== "context" || el.tag.id !== id) {
      bad("attestation-elements.schema", `expected ${name} [${id}] here`, `attestation/${name}`, el.offset);
    }
    return el;
  };
  const cdNode = expect(cd, TAG.certificationDeclaration, "certification_declaration");
  const nonceNode = expect(nonce, TAG.attestationNonce, "attestation_nonce");
  const tsNode = expect(ts, TAG.timestamp, "timestamp");
  if (cdNode.type !== "bytes")
    bad("attestation-elements.schema", "not an octet string", "attestation/certification_declaration", cdNode.offset);
  if (nonceNode.type !== "bytes" || nonceNode.value.length !== ATTESTATION_NONCE_BYTES) {
    bad("attestation-elements.schema", "not a 32-byte octet string", "attestation/attestation_nonce", nonceNode.offset);
  }
  if (tsNode.type !== "uint" || tsNode.value > 0xffffffffn) {
    bad("attestation-elements.schema", "not a 32-bit unsigned integer", "attestation/timestamp", tsNode.offset);
  }
  let firmwareInformation: Uint8Array | undefined;
  const vendorReserved: VendorReservedElement[] = [];
  let lastContext: number = TAG.timestamp;
  for (const el of rest) {
    if (el.tag.form === "context") {
      if (vendorReserved.length > 0) {
        bad("attestation-elements.schema", "context tag after vendor-reserved elements", "attestation", el.offset);
      }
      if (el.tag.id <= lastContext) {
        bad("attestation-elements.schema", `tag ${el.tag.id} after tag ${lastContext}`, "attestation", el.offset);
      }
      lastContext = el.tag.id;
      if (el.tag.id === TAG.firmwareInformation) {
        if (el.type !== "bytes") {
          bad("attestation-elements.schema", "not an octet string", "attestation/firmware_information", el.offset);
        }
        firmwareInformation = el.value;
      }
      // Unknown context tags are tolerated (and skipped) by the SDK before the vendor-reserved elements.
      continue;
    }
    if (el.tag.form !== "qualified") {
      bad(
        "attestation-elements.schema",
        "vendor-reserved elements need fully-qualified tags",
        "attestation",
        el.offset,
      );
    }
    if (el.type !== "bytes") {
      bad("attestation-elements.schema", "vendor-reserved element is not an octet string", "attestation", el.offset);
    }
    vendorReserved.push({
      vendorId: el.tag.vendorId,
      profileNum: el.tag.profileNum,
      tagNumber: el.tag.id,
      value: el.value,
    });
  }
  return {
    certificationDeclaration: cdNode.value,
    attestationNonce: nonceNode.value,
    timestamp: Number(tsNode.value),
    ...(firmwareInformation !== undefined ? { firmwareInformation } : {}),
    vendorReserved,
  };
}

function checkChallenge(challenge: Uint8Array): void {
  // Empty only when the command did not arrive on a secure session (never in practice, conformance doc §1.1).
  if (challenge.length !== ATTESTATION_CHALLENGE_BYTES && challenge.length !== 0) {
    throw new RangeError(`AttestationChallenge must be ${ATTESTATION_CHALLENGE_BYTES} bytes`);
  }
}

/**
 * The AttestationSignature of AttestationResponse or CSRResponse: ECDSA-P256-SHA256 with the DAC private key over
 * `elements || attestationChallenge`, raw r||s (64 bytes). `elements` is the encoded Attestation or NOCSR Elements.
 */
export function attestationSignature(
  crypto: Crypto,
  dacKey: P256PrivateKey,
  elements: Uint8Array,
  attestationChallenge: Uint8Array,
): Uint8Array {
  checkChallenge(attestationChallenge);
  return crypto.ecdsaSign(dacKey, [elements, attestationChallenge]);
}

/** Checks an AttestationSignature with the DAC public key (commissioner side, TC_DA_1_2 step 12 / TC_DA_1_5). */
export function verifyAttestationSignature(
  crypto: Crypto,
  dacPublicKey: P256PublicKey,
  elements: Uint8Array,
  attestationChallenge: Uint8Array,
  signature: Uint8Array,
): boolean {
  checkChallenge(attestationChallenge);
  return crypto.ecdsaVerify(dacPublicKey, [elements, attestationChallenge], signature);
}
