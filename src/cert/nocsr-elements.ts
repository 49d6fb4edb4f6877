/**
 * NOCSR Elements (Core spec §11.18.4.9, conformance doc §3.1): the TLV the device returns in CSRResponse, carrying
 * the PKCS#10 request and the echoed CSRNonce, signed together with the attestation challenge by the DAC key.
 *
 * ```
 * nocsr-elements-message ::= anonymous STRUCTURE {
 *   csr               [1] : OCTET STRING   -- DER PKCS#10
 *   CSRNonce          [2] : OCTET STRING (32)
 *   vendor_reserved1  [3, optional] : OCTET STRING
 *   vendor_reserved2  [4, optional] : OCTET STRING
 *   vendor_reserved3  [5, optional] : OCTET STRING
 * }   total <= RESP_MAX (900 bytes)
 * ```
 */
import { type ErrorCode, MalformedError } from "../bytes/errors.ts";
import { decodeTlv } from "../tlv/tlv-decoder.ts";
import { encodeTlv } from "../tlv/tlv-encoder.ts";
import { ANONYMOUS, ctx, type TlvNode } from "../tlv/tlv-node.ts";

/** RESP_MAX: the largest NOCSRElements (and AttestationElements), in bytes. */
export const MAX_NOCSR_ELEMENTS_BYTES = 900;
/** CSRNonce length, in bytes. */
export const CSR_NONCE_BYTES = 32;

/** The decoded NOCSR Elements; absent vendor fields are absent members. */
export type NocsrElements = {
  readonly csr: Uint8Array;
  readonly csrNonce: Uint8Array;
  readonly vendorReserved1?: Uint8Array;
  readonly vendorReserved2?: Uint8Array;
  readonly vendorReserved3?: Uint8Array;
};

const TAG = { csr: 1, csrNonce: 2, vendorReserved1: 3, vendorReserved2: 4, vendorReserved3: 5 } as const;
const VENDOR = [
  ["vendorReserved1", TAG.vendorReserved1],
  ["vendorReserved2", TAG.vendorReserved2],
  ["vendorReserved3", TAG.vendorReserved3],
] as const;

/** Encodes NOCSR Elements; a nonce that is not 32 bytes or a result over 900 bytes is a RangeError. */
export function encodeNocsrElements(e: NocsrElements): Uint8Array {
  if (e.csrNonce.length !== CSR_NONCE_BYTES) throw new RangeError(`CSRNonce must be ${CSR_NONCE_BYTES} bytes`);
  const elements: TlvNode[] = [
    { tag: ctx(TAG.csr), type: "bytes", value: e.csr },
    { tag: ctx(TAG.csrNonce), type: "bytes", value: e.csrNonce },
  ];
  for (const [name, tag] of VENDOR) {
    const v = e[name];
    if (v !== undefined) elements.push({ tag: ctx(tag), type: "bytes", value: v });
  }
  const out = encodeTlv({ tag: ANONYMOUS, type: "struct", elements });
  if (out.length > MAX_NOCSR_ELEMENTS_BYTES) {
    throw new RangeError(`NOCSRElements is ${out.length} bytes, over ${MAX_NOCSR_ELEMENTS_BYTES}`);
  }
  return out;
}

function bad(code: ErrorCode, message: string, path: string, offset?: number): never {
  throw new MalformedError(code, message, offset === undefined ? { path } : { path, offset });
}

/**
 * Decodes NOCSR Elements strictly, as the SDK's DeconstructNOCSRElements: the first member is tag 1, tags strictly
 * increase, any other tag is rejected, every member is an octet string, CSRNonce is 32 bytes, the total is <= 900.
 * The CSR itself is not parsed here (see `csr.ts`).
 */
export function decodeNocsrElements(bytes: Uint8Array): NocsrElements {
  if (bytes.length > MAX_NOCSR_ELEMENTS_BYTES) {
    bad("nocsr.size", `${bytes.length} bytes, over ${MAX_NOCSR_ELEMENTS_BYTES}`, "nocsr");
  }
  const root = decodeTlv(bytes, { path: "nocsr" });
  if (root.type !== "struct" || root.tag.form !== "anonymous") {
    bad("nocsr.schema", "not an anonymous structure", "nocsr", root.offset);
  }
  const found = new Map<number, Uint8Array>();
  let last = 0;
  for (const el of root.elements) {
    const path = "nocsr/member";
    if (el.tag.form !== "context" || el.tag.id < TAG.csr || el.tag.id > TAG.vendorReserved3) {
      bad("nocsr.schema", "unknown tag", path, el.offset);
    }
    const id = el.tag.id;
    // "the first element must be tag 1; tags strictly increasing"
    if (found.size === 0 && id !== TAG.csr) bad("nocsr.schema", `first member has tag ${id}, not 1`, path, el.offset);
    if (id <= last) bad("nocsr.schema", `tag ${id} after tag ${last}`, path, el.offset);
    last = id;
    if (el.type !== "bytes") bad("nocsr.schema", `tag ${id} is ${el.type}, not an octet string`, path, el.offset);
    found.set(id, el.value);
  }
  const csr = found.get(TAG.csr) ?? bad("nocsr.schema", "missing csr [1]", "nocsr/csr");
  const csrNonce = found.get(TAG.csrNonce) ?? bad("nocsr.schema", "missing CSRNonce [2]", "nocsr/CSRNonce");
  if (csrNonce.length !== CSR_NONCE_BYTES) {
    bad("nocsr.schema", `CSRNonce is ${csrNonce.length} bytes, not ${CSR_NONCE_BYTES}`, "nocsr/CSRNonce");
  }
  const out: { -readonly [K in keyof NocsrElements]: NocsrElements[K] } = { csr, csrNonce };
  for (const [name, tag] of VENDOR) {
    const v = found.get(tag);
    if (v !== undefined) out[name] = v;
  }
  return out;
}
