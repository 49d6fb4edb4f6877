/**
 * InvokeResponseIB (Core spec 10.6.13): a response command or a status for one invoked path.
 *
 * InvokeResponseIB => STRUCTURE [ tag-order ] { Command [0] : CommandDataIB | Status [1] : CommandStatusIB }
 */
import { type TlvType, tlvOptionalField, tlvStruct } from "../../tlv/tlv-schema.ts";
import { CommandDataIB } from "./command-data-ib.ts";
import { CommandStatusIB } from "./command-status-ib.ts";
import { exactlyOneOf, refined } from "./im-schema.ts";

const fields = tlvStruct({
  command: tlvOptionalField(0, CommandDataIB),
  status: tlvOptionalField(1, CommandStatusIB),
});

/** InvokeResponseIB codec: exactly one of Command and Status. */
export const InvokeResponseIB = refined(fields, exactlyOneOf("command", "status"));
/** A decoded InvokeResponseIB. */
export type InvokeResponseIB = TlvType<typeof InvokeResponseIB>;
