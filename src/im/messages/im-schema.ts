/**
 * Schema helpers shared by the IM information blocks (Core spec 10.6): the data types their schemas name, and
 * cross-field rules such as "exactly one of" that a plain struct schema cannot state. A violation is a MalformedError
 * "tlv.schema", like any schema mismatch.
 */
import { MalformedError } from "../../bytes/errors.ts";
import type { TlvNode } from "../../tlv/tlv-node.ts";
import { TLV_SCHEMA_ERROR, type TlvSchema, tlvUInt16, tlvUInt32, tlvUInt64 } from "../../tlv/tlv-schema.ts";

// The derived data types (Core 7.18.2) the IB schemas name, so that a schema reads as the spec writes it.
/** node-id: a 64-bit node id. */
export const tlvNodeId: TlvSchema<bigint> = tlvUInt64;
/** endpoint-no: an endpoint number. */
export const tlvEndpointNo: TlvSchema<number> = tlvUInt16;
/** cluster-id: a 32-bit cluster id (vendor prefix and cluster number). */
export const tlvClusterId: TlvSchema<number> = tlvUInt32;
/** attribute-id: a 32-bit attribute id. */
export const tlvAttributeId: TlvSchema<number> = tlvUInt32;
/** event-id: a 32-bit event id. */
export const tlvEventId: TlvSchema<number> = tlvUInt32;
/** command-id: a 32-bit command id. */
export const tlvCommandId: TlvSchema<number> = tlvUInt32;
/** event-no: the 64-bit event number of an event record. */
export const tlvEventNo: TlvSchema<bigint> = tlvUInt64;
/** data-ver: a cluster instance's 32-bit data version. */
export const tlvDataVer: TlvSchema<number> = tlvUInt32;

/** `inner` plus a rule checked after decoding (and before encoding, as a RangeError); `rule` returns a problem or undefined. */
export function refined<T>(inner: TlvSchema<T>, rule: (value: T) => string | undefined): TlvSchema<T> {
  const decodeNode = (node: TlvNode, path: string): T => {
    const value = inner.decodeNode(node, path);
    const problem = rule(value);
    if (problem !== undefined)
      throw new MalformedError(
        TLV_SCHEMA_ERROR,
        problem,
        node.offset === undefined ? { path } : { path, offset: node.offset },
      );
    return value;
  };
  return {
    encodeNode: (value, tag) => {
      const problem = rule(value);
      if (problem !== undefined) throw new RangeError(problem);
      return inner.encodeNode(value, tag);
    },
    decodeNode,
    encode: (value) => {
      const problem = rule(value);
      if (problem !== undefined) throw new RangeError(problem);
      return inner.encode(value);
    },
    decode: (bytes, path = "root") => {
      const value = inner.decode(bytes, path);
      const problem = rule(value);
      if (problem !== undefined) throw new MalformedError(TLV_SCHEMA_ERROR, problem, { path });
      return value;
    },
  };
}

/** Rule: exactly one of the named members is present. */
export function exactlyOneOf<T extends object>(...names: (keyof T & string)[]): (value: T) => string | undefined {
  return (value) => {
    const present = names.filter((n) => value[n] !== undefined);
    return present.length === 1 ? undefined : `exactly one of ${names.join(", ")} expected, got ${present.length}`;
  };
}
