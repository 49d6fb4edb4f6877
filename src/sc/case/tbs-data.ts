/**
 * TBSData2 and TBSData3, the structures each side signs with its operational key (Core spec 4.14.2.3): the
 * signer's certificates, then its own ephemeral key, then the peer's. Both have the same shape.
 *
 * sigma-2-tbsdata => STRUCTURE [ tag-order ] { responderNOC [1], responderICAC [2, optional],
 *   responderEphPubKey [3] : ec-pub-key, initiatorEphPubKey [4] : ec-pub-key }
 * sigma-3-tbsdata => STRUCTURE [ tag-order ] { initiatorNOC [1], initiatorICAC [2, optional],
 *   initiatorEphPubKey [3] : ec-pub-key, responderEphPubKey [4] : ec-pub-key }
 */
import { tlvBytes, tlvField, tlvOptionalField } from "../../tlv/tlv-schema.ts";
import { secureChannelMessage } from "../secure-channel-message.ts";

/** sigma-2-tbsdata / sigma-3-tbsdata, keyed by role (signer, peer) since both share one shape. */
const TbsDataMessage = secureChannelMessage("TBSData", {
  signerNoc: tlvField(1, tlvBytes()),
  signerIcac: tlvOptionalField(2, tlvBytes()),
  signerEphPubKey: tlvField(3, tlvBytes()),
  peerEphPubKey: tlvField(4, tlvBytes()),
});

/** The members of TBSData2 (signer = responder) or TBSData3 (signer = initiator). */
export type TbsData = ReturnType<typeof TbsDataMessage.decode>;

/** The TLV bytes that are signed and verified (only ever encoded locally, never decoded). */
export const encodeTbsData: (m: TbsData) => Uint8Array = TbsDataMessage.encode;
