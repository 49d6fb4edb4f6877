/**
 * AttributeDataIB (Core spec 10.6.5): one attribute value (or list entry, when Path.ListIndex is null) with the
 * cluster instance's data version. Data is kept as a raw TLV element; the attribute's schema gives it meaning.
 *
 * AttributeDataIB => STRUCTURE [ tag-order ] { DataVersion [0, optional] : data-ver, Path [1] : AttributePathIB, Data [2] : * }
 */
import { type TlvType, tlvAny, tlvField, tlvOptionalField, tlvStruct } from "../../tlv/tlv-schema.ts";
import { AttributePathIB } from "./attribute-path-ib.ts";
import { tlvDataVer } from "./im-schema.ts";

/** AttributeDataIB codec. */
export const AttributeDataIB = tlvStruct({
  dataVersion: tlvOptionalField(0, tlvDataVer),
  path: tlvField(1, AttributePathIB),
  data: tlvField(2, tlvAny),
});
/** A decoded AttributeDataIB. */
export type AttributeDataIB = TlvType<typeof AttributeDataIB>;
