/**
 * Typed TLV schemas: each schema maps a TS value to a TlvNode and back, strictly (Core spec Appendix A; struct
 * rules of the Interaction Model, Core 7.x / 8.x). A decode mismatch is a MalformedError "tlv.schema" naming the field.
 */
import { MalformedError } from "../bytes/errors.ts";
import { decodeTlv } from "./tlv-decoder.ts";
import { encodeTlv } from "./tlv-encoder.ts";
import { ANONYMOUS, ctx, type TlvNode, type TlvTag, tagToString } from "./tlv-node.ts";

/** Error code of every schema mismatch. */
export const TLV_SCHEMA_ERROR = "tlv.schema";

/** A bidirectional mapping between a TS value of type T and a TLV element. */
export interface TlvSchema<T> {
  /** The value as a complete anonymous TLV element. */
  encode(value: T): Uint8Array;
  /** Decodes one complete element (strictly, see decodeTlv) and maps it; `path` names the root in errors. */
  decode(bytes: Uint8Array, path?: string): T;
  /** The value as a node carrying `tag`; invalid values (out of range, wrong JS type) are a RangeError/TypeError. */
  encodeNode(value: T, tag: TlvTag): TlvNode;
  /** Maps a decoded node; a mismatch is a MalformedError "tlv.schema" at `path`. */
  decodeNode(node: TlvNode, path: string): T;
}

/** The TS type a schema maps to. */
export type TlvType<S> = S extends TlvSchema<infer T> ? T : never;

function mismatch(path: string, node: TlvNode, message: string): MalformedError {
  return new MalformedError(
    TLV_SCHEMA_ERROR,
    message,
    node.offset === undefined ? { path } : { path, offset: node.offset },
  );
}

function describe(node: TlvNode): string {
  if (node.type === "int" || node.type === "uint")
    return `${node.type}${node.width === undefined ? "" : node.width * 8}`;
  return node.type;
}

function schema<T>(
  encodeNode: (value: T, tag: TlvTag) => TlvNode,
  decodeNode: (node: TlvNode, path: string) => T,
): TlvSchema<T> {
  return {
    encodeNode,
    decodeNode,
    encode: (value) => encodeTlv(encodeNode(value, ANONYMOUS)),
    decode: (bytes, path = "root") => decodeNode(decodeTlv(bytes, { path }), path),
  };
}

// ---- integers ------------------------------------------------------------------------------------------------

function numberInt(type: "int" | "uint", min: bigint, max: bigint, name: string): TlvSchema<number> {
  return schema<number>(
    (value, tag) => {
      if (typeof value !== "number" || !Number.isInteger(value))
        throw new TypeError(`${name}: not an integer: ${value}`);
      const v = BigInt(value);
      if (v < min || v > max) throw new RangeError(`${name} out of range: ${value}`);
      return { tag, type, value: v };
    },
    (node, path) => {
      if (node.type !== type) throw mismatch(path, node, `expected ${name}, got ${describe(node)}`);
      if (node.value < min || node.value > max) throw mismatch(path, node, `${node.value} out of ${name} range`);
      return Number(node.value);
    },
  );
}

function bigInt(type: "int" | "uint", min: bigint, max: bigint, name: string): TlvSchema<bigint> {
  return schema<bigint>(
    (value, tag) => {
      if (typeof value !== "bigint") throw new TypeError(`${name}: not a bigint: ${String(value)}`);
      if (value < min || value > max) throw new RangeError(`${name} out of range: ${value}`);
      return { tag, type, value };
    },
    (node, path) => {
      if (node.type !== type) throw mismatch(path, node, `expected ${name}, got ${describe(node)}`);
      if (node.value < min || node.value > max) throw mismatch(path, node, `${node.value} out of ${name} range`);
      return node.value;
    },
  );
}

/** An unsigned integer in [min, max] (max at most 2^53 - 1) as a number; any wire width decodes if the value fits. */
export function tlvUIntRange(min: number, max: number): TlvSchema<number> {
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min < 0 || min > max) {
    throw new RangeError(`invalid range [${min}, ${max}]`);
  }
  return numberInt("uint", BigInt(min), BigInt(max), `uint in [${min}, ${max}]`);
}

/** Unsigned 8-bit integer (number); any wire width decodes if the value fits. */
export const tlvUInt8: TlvSchema<number> = numberInt("uint", 0n, 0xffn, "uint8");
/** Unsigned 16-bit integer (number). */
export const tlvUInt16: TlvSchema<number> = numberInt("uint", 0n, 0xffffn, "uint16");
/** Unsigned 32-bit integer (number). */
export const tlvUInt32: TlvSchema<number> = numberInt("uint", 0n, 0xffffffffn, "uint32");
/** Unsigned 64-bit integer (bigint). */
export const tlvUInt64: TlvSchema<bigint> = bigInt("uint", 0n, 0xffffffffffffffffn, "uint64");
/** Signed 8-bit integer (number). */
export const tlvInt8: TlvSchema<number> = numberInt("int", -0x80n, 0x7fn, "int8");
/** Signed 16-bit integer (number). */
export const tlvInt16: TlvSchema<number> = numberInt("int", -0x8000n, 0x7fffn, "int16");
/** Signed 32-bit integer (number). */
export const tlvInt32: TlvSchema<number> = numberInt("int", -0x80000000n, 0x7fffffffn, "int32");
/** Signed 64-bit integer (bigint). */
export const tlvInt64: TlvSchema<bigint> = bigInt("int", -0x8000000000000000n, 0x7fffffffffffffffn, "int64");

/** enum8 (Core 7.18.2): an unsigned 8-bit value; unknown values decode and are the caller's constraint check. */
export const tlvEnum8: TlvSchema<number> = tlvUInt8;
/** map8 bitmap: an unsigned 8-bit value. */
export const tlvBitmap8: TlvSchema<number> = tlvUInt8;
/** map32 bitmap: an unsigned 32-bit value. */
export const tlvBitmap32: TlvSchema<number> = tlvUInt32;

// ---- other scalars -------------------------------------------------------------------------------------------

/** Boolean. */
export const tlvBool: TlvSchema<boolean> = schema<boolean>(
  (value, tag) => {
    if (typeof value !== "boolean") throw new TypeError(`bool: not a boolean: ${String(value)}`);
    return { tag, type: "bool", value };
  },
  (node, path) => {
    if (node.type !== "bool") throw mismatch(path, node, `expected bool, got ${describe(node)}`);
    return node.value;
  },
);

/** Single-precision float: encodes 4 bytes (rounding to float32), decodes only a 4-byte float. */
export const tlvFloat32: TlvSchema<number> = schema<number>(
  (value, tag) => {
    if (typeof value !== "number") throw new TypeError(`single: not a number: ${String(value)}`);
    return { tag, type: "float", value: Math.fround(value), width: 4 };
  },
  (node, path) => {
    if (node.type !== "float" || node.width === 8) throw mismatch(path, node, `expected single, got ${describe(node)}`);
    return node.value;
  },
);

/** Double-precision float: encodes 8 bytes, decodes a 4- or 8-byte float (widening is exact). */
export const tlvFloat64: TlvSchema<number> = schema<number>(
  (value, tag) => {
    if (typeof value !== "number") throw new TypeError(`double: not a number: ${String(value)}`);
    return { tag, type: "float", value, width: 8 };
  },
  (node, path) => {
    if (node.type !== "float") throw mismatch(path, node, `expected double, got ${describe(node)}`);
    return node.value;
  },
);

/** Length constraints in bytes. */
export type TlvLengthConstraints = { length?: number; minLength?: number; maxLength?: number };

function lengthProblem(length: number, c: TlvLengthConstraints): string | undefined {
  if (c.length !== undefined && length !== c.length) return `length ${length}, expected ${c.length}`;
  if (c.minLength !== undefined && length < c.minLength) return `length ${length} below minimum ${c.minLength}`;
  if (c.maxLength !== undefined && length > c.maxLength) return `length ${length} above maximum ${c.maxLength}`;
  return undefined;
}

/** Octet string with optional exact/min/max length. */
export function tlvBytes(constraints: TlvLengthConstraints = {}): TlvSchema<Uint8Array> {
  return schema<Uint8Array>(
    (value, tag) => {
      if (!(value instanceof Uint8Array)) throw new TypeError("octstr: not a Uint8Array");
      const problem = lengthProblem(value.length, constraints);
      if (problem !== undefined) throw new RangeError(`octstr: ${problem}`);
      return { tag, type: "bytes", value };
    },
    (node, path) => {
      if (node.type !== "bytes") throw mismatch(path, node, `expected octstr, got ${describe(node)}`);
      const problem = lengthProblem(node.value.length, constraints);
      if (problem !== undefined) throw mismatch(path, node, problem);
      return node.value;
    },
  );
}

const utf8 = new TextEncoder();

/** UTF-8 string; `minLength`/`maxLength` count encoded bytes, as Matter's char_string constraints do. */
export function tlvString(constraints: { minLength?: number; maxLength?: number } = {}): TlvSchema<string> {
  const bytesLength = (s: string) => utf8.encode(s).length;
  return schema<string>(
    (value, tag) => {
      if (typeof value !== "string") throw new TypeError("char_string: not a string");
      const problem = lengthProblem(bytesLength(value), constraints);
      if (problem !== undefined) throw new RangeError(`char_string: ${problem}`);
      return { tag, type: "utf8", value };
    },
    (node, path) => {
      if (node.type !== "utf8") throw mismatch(path, node, `expected char_string, got ${describe(node)}`);
      const problem = lengthProblem(bytesLength(node.value), constraints);
      if (problem !== undefined) throw mismatch(path, node, problem);
      return node.value;
    },
  );
}

/** Any element, kept as its raw node (the given tag replaces the node's own on encode). */
export const tlvAny: TlvSchema<TlvNode> = schema<TlvNode>(
  (value, tag) => {
    const { offset: _offset, ...rest } = value;
    return { ...rest, tag } as TlvNode;
  },
  (node) => node,
);

// ---- combinators ---------------------------------------------------------------------------------------------

/** `null` or a value of `inner` (Matter "nullable" quality). */
export function tlvNullable<T>(inner: TlvSchema<T>): TlvSchema<T | null> {
  return schema<T | null>(
    (value, tag) => (value === null ? { tag, type: "null" } : inner.encodeNode(value, tag)),
    (node, path) => (node.type === "null" ? null : inner.decodeNode(node, path)),
  );
}

/** A TLV array of anonymous elements of `item`, with optional element-count bounds. */
export function tlvArray<T>(
  item: TlvSchema<T>,
  constraints: { minLength?: number; maxLength?: number } = {},
): TlvSchema<T[]> {
  return schema<T[]>(
    (value, tag) => {
      if (!Array.isArray(value)) throw new TypeError("array: not an array");
      const problem = lengthProblem(value.length, constraints);
      if (problem !== undefined) throw new RangeError(`array: ${problem}`);
      return { tag, type: "array", elements: value.map((v) => item.encodeNode(v, ANONYMOUS)) };
    },
    (node, path) => {
      if (node.type !== "array") throw mismatch(path, node, `expected array, got ${describe(node)}`);
      const problem = lengthProblem(node.elements.length, constraints);
      if (problem !== undefined) throw mismatch(path, node, `${problem} element(s)`);
      return node.elements.map((e, i) => item.decodeNode(e, `${path}/[${i}]`));
    },
  );
}

/**
 * A mandatory struct (or list) field: `tag` is a context tag number or a full tag; `name`, when set, is the member's
 * name in the spec's schema, which errors give where the property is named otherwise (`resumptionId` for resumptionID).
 */
export type TlvField<T> = {
  readonly optional: false;
  readonly tag: TlvTag;
  readonly schema: TlvSchema<T>;
  readonly name: string | undefined;
};
/** An optional struct (or list) field: absent on the wire means absent in the object. */
export type TlvOptionalField<T> = {
  readonly optional: true;
  readonly tag: TlvTag;
  readonly schema: TlvSchema<T>;
  readonly name: string | undefined;
};

function fieldTag(tag: number | TlvTag): TlvTag {
  const t = typeof tag === "number" ? ctx(tag) : tag;
  if (t.form === "anonymous") throw new RangeError("a struct field needs a tag");
  return t;
}

/** A mandatory field with `tag` (a number is a context tag); `name` is the spec's member name where it differs. */
export function tlvField<T>(tag: number | TlvTag, fieldSchema: TlvSchema<T>, name?: string): TlvField<T> {
  return { optional: false, tag: fieldTag(tag), schema: fieldSchema, name };
}

/** An optional field with `tag` (a number is a context tag); `name` is the spec's member name where it differs. */
export function tlvOptionalField<T>(
  tag: number | TlvTag,
  fieldSchema: TlvSchema<T>,
  name?: string,
): TlvOptionalField<T> {
  return { optional: true, tag: fieldTag(tag), schema: fieldSchema, name };
}

/** Tag of the FabricIndex field of every fabric-scoped struct (Core 7.13.6). */
export const FABRIC_INDEX_TAG = 0xfe;
/** A fabric index value: 1..254 are fabrics, 0 is the SDK's "undefined fabric index" (kUndefinedFabricIndex). */
export const tlvFabricIndexValue: TlvSchema<number> = tlvUIntRange(0, 254);
/**
 * The FabricIndex field (tag 0xFE) of a fabric-scoped struct. Optional: a client's write omits it and the server
 * fills in the accessing fabric (Core 7.13.6); a server always writes it.
 */
export const tlvFabricIndex: TlvOptionalField<number> = tlvOptionalField(FABRIC_INDEX_TAG, tlvFabricIndexValue);

/** Field definitions of a struct or list schema, by property name. */
// biome-ignore lint/suspicious/noExplicitAny: field value types are inferred per property
export type TlvFields = Record<string, TlvField<any> | TlvOptionalField<any>>;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The object type of a struct schema: mandatory fields required, optional fields optional. */
export type TlvStructType<F extends TlvFields> = Simplify<
  { [K in keyof F as F[K] extends TlvOptionalField<unknown> ? never : K]: TlvType<F[K]["schema"]> } & {
    [K in keyof F as F[K] extends TlvOptionalField<unknown> ? K : never]?: TlvType<F[K]["schema"]> | undefined;
  }
>;

const FORM_RANK = { anonymous: 0, context: 0, common: 1, implicit: 2, qualified: 3 } as const;

/** Canonical order (Core Appendix A, structures): context tags ascending, then profile tags by profile then number. */
function compareTags(a: TlvTag, b: TlvTag): number {
  if (FORM_RANK[a.form] !== FORM_RANK[b.form]) return FORM_RANK[a.form] - FORM_RANK[b.form];
  if (a.form === "qualified" && b.form === "qualified") {
    if (a.vendorId !== b.vendorId) return a.vendorId - b.vendorId;
    if (a.profileNum !== b.profileNum) return a.profileNum - b.profileNum;
  }
  const ida = a.form === "anonymous" ? 0 : a.id;
  const idb = b.form === "anonymous" ? 0 : b.id;
  return ida - idb;
}

/**
 * How a struct decodes its members. Without options a struct is lenient about order and skips unknown members, as
 * IM data structs are; Matter's protocol structs (secure channel messages, "STRUCTURE [ tag-order ]") set `ordered`.
 */
export type TlvStructOptions = {
  /**
   * Members must appear in strictly ascending canonical tag order (Core Appendix A); an out-of-order or repeated tag
   * is a MalformedError "tlv.schema". Unknown non-context members that are skipped take no part in the order.
   */
  readonly ordered?: boolean;
  /** Members whose tag names no field: "skip" them (forward compatibility, the default) or "reject" the struct. */
  readonly unknownMembers?: "skip" | "reject";
};

/**
 * The options of Matter's protocol structs ("STRUCTURE [ tag-order ]", e.g. the secure channel messages): members in
 * ascending tag order, unknown members skipped so newer peers still interoperate (as connectedhomeip and matter.js do).
 */
export const PROTOCOL_STRUCT: TlvStructOptions = Object.freeze({ ordered: true, unknownMembers: "skip" });

/** A field of a struct schema: `key` is its property, `name` what errors call it (the spec's name, if given). */
type Member = {
  readonly key: string;
  readonly name: string;
  readonly field: TlvField<unknown> | TlvOptionalField<unknown>;
};

function fieldsSchema<F extends TlvFields>(
  type: "struct" | "list",
  fields: F,
  options: TlvStructOptions = {},
): TlvSchema<TlvStructType<F>> {
  const ordered = options.ordered === true;
  const rejectUnknown = options.unknownMembers === "reject";
  const members: Member[] = Object.entries(fields)
    .map(([key, field]): Member => ({ key, name: field.name ?? key, field }))
    .sort((a, b) => compareTags(a.field.tag, b.field.tag));
  const byTag = new Map<string, Member>();
  // Context tags (nearly every field) are looked up by number, without building their text.
  const byContextTag = new Map<number, Member>();
  for (const member of members) {
    const { tag } = member.field;
    const key = tagToString(tag);
    const other = byTag.get(key);
    if (other !== undefined) throw new RangeError(`fields ${other.name} and ${member.name} share tag ${key}`);
    byTag.set(key, member);
    if (tag.form === "context") byContextTag.set(tag.id, member);
  }
  const memberOf = (tag: TlvTag): Member | undefined =>
    tag.form === "context" ? byContextTag.get(tag.id) : byTag.get(tagToString(tag));
  return schema<TlvStructType<F>>(
    (value, tag) => {
      if (typeof value !== "object" || value === null) throw new TypeError(`${type}: not an object`);
      const record = value as Record<string, unknown>;
      const elements: TlvNode[] = [];
      for (const { key, name, field } of members) {
        const v = record[key];
        if (v === undefined) {
          if (field.optional) continue;
          throw new TypeError(`${type}: mandatory field ${name} is missing`);
        }
        elements.push(field.schema.encodeNode(v, field.tag));
      }
      return { tag, type, elements };
    },
    (node, path) => {
      if (node.type !== type) throw mismatch(path, node, `expected ${type}, got ${describe(node)}`);
      const found = new Map<Member, TlvNode>();
      let previous: TlvTag | undefined;
      for (const element of node.elements) {
        const member = memberOf(element.tag);
        if (member === undefined) {
          if (rejectUnknown) {
            const key = tagToString(element.tag);
            throw mismatch(`${path}/${key}`, element, `unknown member (tag ${key})`);
          }
          // A skipped non-context member takes no part in the order: the protocol structs order their context tags.
          if (!ordered || element.tag.form !== "context") continue;
        }
        if (ordered) {
          // STRUCTURE [ tag-order ]: members in ascending tag order, each tag at most once.
          if (previous !== undefined && compareTags(previous, element.tag) >= 0) {
            const key = tagToString(element.tag);
            throw mismatch(`${path}/${member?.name ?? key}`, element, `member (tag ${key}) out of tag order`);
          }
          previous = element.tag;
        }
        if (member === undefined) continue;
        if (found.has(member)) {
          const { name } = member;
          throw mismatch(`${path}/${name}`, element, `field ${name} (tag ${tagToString(element.tag)}) appears twice`);
        }
        found.set(member, element);
      }
      const out: Record<string, unknown> = {};
      for (const member of members) {
        const { name, field } = member;
        const element = found.get(member);
        if (element === undefined) {
          if (field.optional) continue;
          throw mismatch(`${path}/${name}`, node, `missing mandatory field ${name} (tag ${tagToString(field.tag)})`);
        }
        out[member.key] = field.schema.decodeNode(element, `${path}/${name}`);
      }
      return out as TlvStructType<F>;
    },
  );
}

/**
 * A TLV structure with named fields; encodes fields in canonical (ascending tag) order. Without `options`, decoding
 * ignores unknown tags and accepts any member order; see TlvStructOptions for protocol structs.
 */
export function tlvStruct<F extends TlvFields>(fields: F, options?: TlvStructOptions): TlvSchema<TlvStructType<F>> {
  return fieldsSchema("struct", fields, options);
}

/**
 * A TLV list whose members are fields with distinct tags, as the IM's path IBs are (Core 10.6.2 AttributePathIB).
 * Lists whose members repeat a tag (a certificate DN) are walked as raw nodes through tlvAny instead.
 */
export function tlvList<F extends TlvFields>(fields: F): TlvSchema<TlvStructType<F>> {
  return fieldsSchema("list", fields);
}
