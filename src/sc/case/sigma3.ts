/**
 * Sigma3, the initiator's proof of identity (Core spec 4.14.2.3 "Message format: Sigma3").
 *
 * sigma-3-struct => STRUCTURE [ tag-order ] { encrypted3 [1] : OCTET STRING }
 */
import { decodeTlv } from "../../tlv/tlv-decoder.ts";
import { encodeTlv } from "../../tlv/tlv-encoder.ts";
import { ANONYMOUS } from "../../tlv/tlv-node.ts";
import { node, TlvStructReader } from "../pase/tlv-struct.ts";
import { CASE_MIC_BYTES } from "./case-constants.ts";

/** Decoded Sigma3; `encrypted3` is TBEData3 encrypted with S3K, ciphertext || MIC. */
export type Sigma3 = { readonly encrypted3: Uint8Array };

/** Encodes a Sigma3 payload. */
export function encodeSigma3(m: Sigma3): Uint8Array {
  return encodeTlv({ tag: ANONYMOUS, type: "struct", elements: [node.bytes(1, m.encrypted3)] });
}

/** Decodes a Sigma3 payload strictly; `encrypted3` must at least hold its MIC. */
export function decodeSigma3(payload: Uint8Array): Sigma3 {
  const path = "Sigma3";
  const r = new TlvStructReader(decodeTlv(payload, { path }), path, { knownTags: [1], allowUnknown: true });
  return { encrypted3: r.bytes(1, "encrypted3", { minLength: CASE_MIC_BYTES + 1 }) };
}
