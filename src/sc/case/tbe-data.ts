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
import { tlvBytes, tlvField, tlvOptionalField } from "../../tlv/tlv-schema.ts";
import { secureChannelMessage } from "../secure-channel-message.ts";
import { CASE_SIGNATURE_BYTES, RESUMPTION_ID_BYTES } from "./case-constants.ts";

const certificate = tlvBytes({ minLength: 1, maxLength: MAX_CERT_TLV_BYTES });
const signature = tlvField(3, tlvBytes({ length: CASE_SIGNATURE_BYTES }));

/**
 * sigma-2-tbedata, keyed by role (`noc`, `icac`) as TBEData3 is, so that one validation reads both; errors give the
 * spec's member names (responderNOC, resumptionID).
 */
const TbeData2Message = secureChannelMessage("TBEData2", {
  noc: tlvField(1, certificate, "responderNOC"),
  icac: tlvOptionalField(2, certificate, "responderICAC"),
  signature,
  resumptionId: tlvField(4, tlvBytes({ length: RESUMPTION_ID_BYTES }), "resumptionID"),
});

/** sigma-3-tbedata, keyed as TBEData2; errors give the spec's member names (initiatorNOC, initiatorICAC). */
const TbeData3Message = secureChannelMessage("TBEData3", {
  noc: tlvField(1, certificate, "initiatorNOC"),
  icac: tlvOptionalField(2, certificate, "initiatorICAC"),
  signature,
});

/**
 * Decoded TBEData2: the responder's certificates (Matter TLV, as received), its raw r || s signature over TBSData2
 * and the resumption id it proposes.
 */
export type TbeData2 = ReturnType<typeof TbeData2Message.decode>;

/** Decoded TBEData3: the initiator's certificates (Matter TLV, as received) and its raw r || s signature over TBSData3. */
export type TbeData3 = ReturnType<typeof TbeData3Message.decode>;

/** Encodes TBEData2; a member out of its length bounds is a RangeError. */
export const encodeTbeData2: (m: TbeData2) => Uint8Array = TbeData2Message.encode;

/** Decodes decrypted TBEData2 strictly. */
export const decodeTbeData2: (payload: Uint8Array) => TbeData2 = TbeData2Message.decode;

/** Encodes TBEData3; a member out of its length bounds is a RangeError. */
export const encodeTbeData3: (m: TbeData3) => Uint8Array = TbeData3Message.encode;

/** Decodes decrypted TBEData3 strictly. */
export const decodeTbeData3: (payload: Uint8Array) => TbeData3 = TbeData3Message.decode;
