/**
 * DataVersionFilterIB (Core spec 10.6.4): the client already holds `dataVersion` of this cluster instance.
 *
 * DataVersionFilterIB => STRUCTURE [ tag-order ] { Path [0] : ClusterPathIB, DataVersion [1] : data-ver }
 */
import { type TlvType, tlvField, tlvStruct } from "../../tlv/tlv-schema.ts";
import { ClusterPathIB } from "./cluster-path-ib.ts";
import { tlvDataVer } from "./im-schema.ts";

/** DataVersionFilterIB codec. */
export const DataVersionFilterIB = tlvStruct({
  path: tlvField(0, ClusterPathIB),
  dataVersion: tlvField(1, tlvDataVer),
});
/** A decoded DataVersionFilterIB. */
export type DataVersionFilterIB = TlvType<typeof DataVersionFilterIB>;
