/**
 * TBEData2 and TBEData3, the plaintexts of Sigma2.encrypted2 and Sigma3.encrypted3 (Core spec 4.14.2.3). They
 * differ only in TBEData2's resumptionID, so one file holds both.
 *
 * sigma-2-tbedata => STRUCTURE [ tag-order ] {
 *   responderNOC [1] : matter-certificate, responderICAC [2, optional] : matter-certificate,
 *   signature [3] : ec-signature, resumptionID [4] : OCTET STRING [ length 16 ] }
 * sigma-3-tbedata => STRUCTURE [ tag-order ] {
 *   initiatorNOC [1] : matter-certificate, initiatorICAC [2, optional] : matter-certificate, signature [3] : ec-signature }
 */
import { MAX_CERT_TLV_BYTES } from "../../cert/matter-cert.ts";
import { decodeTlv } from "../../tlv/tlv-decoder.ts";
import { encodeTlv } from "../../tlv/tlv-encoder.ts";
import { ANONYMOUS, type TlvNode } from "../../tlv/tlv-node.ts";
import { node, TlvStructReader } from "../pase/tlv-struct.ts";
import { CASE_SIGNATURE_BYTES, RESUMPTION_ID_BYTES } from "./case-constants.ts";

const CERT_BOUNDS = { minLength: 1, maxLength: MAX_CERT_TLV_BYTES } as const;

/** Decoded TBEData3: the sender's certificates (Matter TLV, as received) and its raw r || s signature over TBSData3. */
export type TbeData3 = {
  readonly noc: Uint8Array;
  readonly icac?: Uint8Array;
  readonly signature: Uint8Array;
};

/** Decoded TBEData2: TBEData3's members plus the resumption id the responder proposes. */
export type TbeData2 = TbeData3 & { readonly resumptionId: Uint8Array };

function elementsOf(m: TbeData3): TlvNode[] {
  const elements = [node.bytes(1, m.noc)];
  if (m.icac !== undefined) elements.push(node.bytes(2, m.icac));
  elements.push(node.bytes(3, m.signature));
  return elements;
}

function decodeTbe(bytes: Uint8Array, path: string, withResumption: boolean): TbeData2 | TbeData3 {
  const r = new TlvStructReader(decodeTlv(bytes, { path }), path, {
    knownTags: withResumption ? [1, 2, 3, 4] : [1, 2, 3],
    allowUnknown: true,
  });
  const who = withResumption ? "responder" : "initiator";
  const noc = r.bytes(1, `${who}NOC`, CERT_BOUNDS);
  const icac = r.optionalBytes(2, `${who}ICAC`, CERT_BOUNDS);
  const signature = r.bytes(3, "signature", { length: CASE_SIGNATURE_BYTES });
  const base = { noc, ...(icac === undefined ? {} : { icac }), signature };
  return withResumption ? { ...base, resumptionId: r.bytes(4, "resumptionID", { length: RESUMPTION_ID_BYTES }) } : base;
}

/** Encodes TBEData2. */
export function encodeTbeData2(m: TbeData2): Uint8Array {
  return encodeTlv({
    tag: ANONYMOUS,
    type: "struct",
    elements: [...elementsOf(m), node.bytes(4, m.resumptionId)],
  });
}

/** Decodes decrypted TBEData2 strictly. */
export function decodeTbeData2(bytes: Uint8Array): TbeData2 {
  return decodeTbe(bytes, "TBEData2", true) as TbeData2;
}

/** Encodes TBEData3. */
export function encodeTbeData3(m: TbeData3): Uint8Array {
  return encodeTlv({ tag: ANONYMOUS, type: "struct", elements: elementsOf(m) });
}

/** Decodes decrypted TBEData3 strictly. */
export function decodeTbeData3(bytes: Uint8Array): TbeData3 {
  return decodeTbe(bytes, "TBEData3", false);
}
