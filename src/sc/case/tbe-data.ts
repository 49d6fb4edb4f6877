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
import { PROTOCOL_STRUCT, tlvBytes, tlvField, tlvOptionalField, tlvStruct } from "../../tlv/tlv-schema.ts";
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

const certificate = tlvBytes(CERT_BOUNDS);
const signature = tlvField(3, tlvBytes({ length: CASE_SIGNATURE_BYTES }));

/** sigma-2-tbedata, keyed by the spec's member names so that errors name them (responderNOC, resumptionID). */
const TbeData2Struct = tlvStruct(
  {
    responderNOC: tlvField(1, certificate),
    responderICAC: tlvOptionalField(2, certificate),
    signature,
    resumptionID: tlvField(4, tlvBytes({ length: RESUMPTION_ID_BYTES })),
  },
  PROTOCOL_STRUCT,
);

/** sigma-3-tbedata, keyed by the spec's member names. */
const TbeData3Struct = tlvStruct(
  { initiatorNOC: tlvField(1, certificate), initiatorICAC: tlvOptionalField(2, certificate), signature },
  PROTOCOL_STRUCT,
);

/** Encodes TBEData2; a member out of its length bounds is a RangeError. */
export function encodeTbeData2(m: TbeData2): Uint8Array {
  return TbeData2Struct.encode({
    responderNOC: m.noc,
    responderICAC: m.icac,
    signature: m.signature,
    resumptionID: m.resumptionId,
  });
}

/** Decodes decrypted TBEData2 strictly. */
export function decodeTbeData2(bytes: Uint8Array): TbeData2 {
  const m = TbeData2Struct.decode(bytes, "TBEData2");
  return {
    noc: m.responderNOC,
    signature: m.signature,
    resumptionId: m.resumptionID,
    ...(m.responderICAC === undefined ? {} : { icac: m.responderICAC }),
  };
}

/** Encodes TBEData3; a member out of its length bounds is a RangeError. */
export function encodeTbeData3(m: TbeData3): Uint8Array {
  return TbeData3Struct.encode({ initiatorNOC: m.noc, initiatorICAC: m.icac, signature: m.signature });
}

/** Decodes decrypted TBEData3 strictly. */
export function decodeTbeData3(bytes: Uint8Array): TbeData3 {
  const m = TbeData3Struct.decode(bytes, "TBEData3");
  return {
    noc: m.initiatorNOC,
    signature: m.signature,
    ...(m.initiatorICAC === undefined ? {} : { icac: m.initiatorICAC }),
  };
}
