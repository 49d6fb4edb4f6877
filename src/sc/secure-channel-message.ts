/**
 * The declaration form of the secure channel's TLV structures (Core spec 4.13 PASE, 4.14 CASE: PBKDFParamRequest to
 * Pake3, Sigma1 to Sigma2Resume, TBEData, TBSData): each is a "STRUCTURE [ tag-order ]" whose unknown members are
 * skipped (PROTOCOL_STRUCT), and one declaration gives its encoder and its strict decoder.
 */
import { PROTOCOL_STRUCT, type TlvFields, type TlvStructType, tlvStruct } from "../tlv/tlv-schema.ts";

/**
 * The codec of the secure channel structure `name`: `encode` throws RangeError/TypeError for a member out of its range,
 * length or type; `decode` throws MalformedError "tlv.*" whose path starts at the name ("Sigma1/resumptionID").
 */
export function secureChannelMessage<F extends TlvFields>(
  name: string,
  fields: F,
): {
  readonly encode: (value: TlvStructType<F>) => Uint8Array;
  readonly decode: (payload: Uint8Array) => TlvStructType<F>;
} {
  const struct = tlvStruct(fields, PROTOCOL_STRUCT);
  return { encode: struct.encode, decode: (payload) => struct.decode(payload, name) };
}
