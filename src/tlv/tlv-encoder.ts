/**
 * Matter TLV encoder (Core spec Appendix A.7): minimal integer, length and tag widths unless a node fixes its
 * `width` (the reference SDK writer also picks the minimal width). Sizes are planned first, then written exactly.
 */
import { ByteWriter } from "../bytes/byte-writer.ts";
import { InternalError } from "../bytes/errors.ts";
import { type TlvIntWidth, type TlvNode, type TlvTag, TlvTagControl, tagToString } from "./tlv-node.ts";

const utf8 = new TextEncoder();
// A lone UTF-16 surrogate has no UTF-8 form; TextEncoder would silently replace it with U+FFFD.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Encodes one element (and its children); an invalid tree (bad tag for its container, value out of its width) is a RangeError. */
export function encodeTlv(node: TlvNode): Uint8Array {
  // UTF-8 of the non-ASCII strings, encoded while sizing; ASCII strings are written char by char.
  const strings = new Map<TlvNode, Uint8Array>();
  const planned = sizeOf(node, strings);
  const w = new ByteWriter(planned);
  write(w, node, strings);
  if (w.length !== planned) throw new InternalError(`TLV encoder wrote ${w.length} bytes, planned ${planned}`);
  return w.finish();
}

/** Minimal width of a signed integer. */
export function minimalIntWidth(value: bigint): TlvIntWidth {
  if (value >= -0x80n && value <= 0x7fn) return 1;
  if (value >= -0x8000n && value <= 0x7fffn) return 2;
  if (value >= -0x80000000n && value <= 0x7fffffffn) return 4;
  return 8;
}

/** Minimal width of an unsigned integer. */
export function minimalUIntWidth(value: bigint): TlvIntWidth {
  if (value <= 0xffn) return 1;
  if (value <= 0xffffn) return 2;
  if (value <= 0xffffffffn) return 4;
  return 8;
}

function checkU(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`${what} out of range: ${value}`);
}

type TagLayout = { readonly control: TlvTagControl; readonly size: number };
const LAYOUT = {
  anonymous: { control: TlvTagControl.Anonymous, size: 0 },
  context: { control: TlvTagControl.Context, size: 1 },
  common2: { control: TlvTagControl.Common2, size: 2 },
  common4: { control: TlvTagControl.Common4, size: 4 },
  implicit2: { control: TlvTagControl.Implicit2, size: 2 },
  implicit4: { control: TlvTagControl.Implicit4, size: 4 },
  qualified6: { control: TlvTagControl.Qualified6, size: 6 },
  qualified8: { control: TlvTagControl.Qualified8, size: 8 },
} as const satisfies Record<string, TagLayout>;

/** Tag control and the number of tag bytes that follow the control octet. */
function tagLayout(tag: TlvTag): TagLayout {
  switch (tag.form) {
    case "anonymous":
      return LAYOUT.anonymous;
    case "context":
      checkU(tag.id, 0xff, "context tag");
      return LAYOUT.context;
    case "common":
      checkU(tag.id, 0xffffffff, "common-profile tag");
      return tag.id <= 0xffff ? LAYOUT.common2 : LAYOUT.common4;
    case "implicit":
      checkU(tag.id, 0xffffffff, "implicit-profile tag");
      return tag.id <= 0xffff ? LAYOUT.implicit2 : LAYOUT.implicit4;
    case "qualified":
      checkU(tag.vendorId, 0xffff, "vendor id");
      checkU(tag.profileNum, 0xffff, "profile number");
      checkU(tag.id, 0xffffffff, "fully-qualified tag");
      return tag.id <= 0xffff ? LAYOUT.qualified6 : LAYOUT.qualified8;
    default:
      throw new RangeError(`unknown tag form ${(tag as { form: unknown }).form}`);
  }
}

function intWidth(node: Extract<TlvNode, { type: "int" | "uint" }>): TlvIntWidth {
  if (typeof node.value !== "bigint") throw new TypeError(`${node.type} value must be a bigint`);
  const minimal = node.type === "int" ? minimalIntWidth(node.value) : minimalUIntWidth(node.value);
  if (node.type === "uint" && node.value < 0n) throw new RangeError(`uint value is negative: ${node.value}`);
  if (node.type === "uint" && node.value > 0xffffffffffffffffn) throw new RangeError(`uint exceeds 64 bits`);
  if (node.type === "int" && (node.value < -0x8000000000000000n || node.value > 0x7fffffffffffffffn)) {
    throw new RangeError(`int exceeds 64 bits`);
  }
  if (node.width === undefined) return minimal;
  if (![1, 2, 4, 8].includes(node.width)) throw new RangeError(`invalid integer width ${node.width}`);
  if (node.width < minimal) throw new RangeError(`${node.type} ${node.value} does not fit in ${node.width} byte(s)`);
  return node.width;
}

function floatWidth(node: Extract<TlvNode, { type: "float" }>): 4 | 8 {
  if (typeof node.value !== "number") throw new TypeError("float value must be a number");
  // A JS number is a double: without an explicit width it stays a double (Matter's single and double are distinct types).
  const width = node.width ?? 8;
  if (width !== 4 && width !== 8) throw new RangeError(`invalid float width ${width}`);
  return width;
}

function lengthWidth(length: number): TlvIntWidth {
  if (length <= 0xff) return 1;
  if (length <= 0xffff) return 2;
  if (length <= 0xffffffff) return 4;
  return 8;
}

/** True when every UTF-16 unit of `s` is ASCII (so its UTF-8 is its char codes, and it has no surrogates). */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

function sizeOf(node: TlvNode, strings: Map<TlvNode, Uint8Array>): number {
  const head = 1 + tagLayout(node.tag).size;
  switch (node.type) {
    case "int":
    case "uint":
      return head + intWidth(node);
    case "bool":
      if (typeof node.value !== "boolean") throw new TypeError("bool value must be a boolean");
      return head;
    case "null":
      return head;
    case "float":
      return head + floatWidth(node);
    case "utf8": {
      if (typeof node.value !== "string") throw new TypeError("utf8 value must be a string");
      if (isAscii(node.value)) return head + lengthWidth(node.value.length) + node.value.length;
      if (LONE_SURROGATE.test(node.value)) throw new RangeError("utf8 value contains a lone surrogate");
      const bytes = utf8.encode(node.value);
      strings.set(node, bytes);
      return head + lengthWidth(bytes.length) + bytes.length;
    }
    case "bytes":
      if (!(node.value instanceof Uint8Array)) throw new TypeError("bytes value must be a Uint8Array");
      return head + lengthWidth(node.value.length) + node.value.length;
    case "struct":
    case "array":
    case "list": {
      if (!Array.isArray(node.elements)) throw new TypeError(`${node.type} elements must be an array`);
      let total = head + 1;
      // Context tags by number, other forms by their text.
      const seen = node.type === "struct" ? new Set<number | string>() : undefined;
      for (const child of node.elements) {
        if (seen !== undefined) {
          // Core A.5.1 / A.5.2: struct members are tagged and unique, array members anonymous.
          const tag = child.tag;
          if (tag.form === "anonymous") throw new RangeError("struct member without a tag");
          const key = tag.form === "context" ? tag.id : tagToString(tag);
          if (seen.has(key)) throw new RangeError(`duplicate tag ${tagToString(tag)} in struct`);
          seen.add(key);
        } else if (node.type === "array" && child.tag.form !== "anonymous") {
          throw new RangeError(`array member with tag ${tagToString(child.tag)}`);
        }
        total += sizeOf(child, strings);
      }
      return total;
    }
    default:
      throw new TypeError(`unknown TLV node type ${(node as { type: unknown }).type}`);
  }
}

const INT_CODE: Record<TlvIntWidth, number> = { 1: 0, 2: 1, 4: 2, 8: 3 };

function writeHead(w: ByteWriter, tag: TlvTag, elementType: number): void {
  const { control } = tagLayout(tag);
  w.u8((control << 5) | elementType);
  switch (tag.form) {
    case "anonymous":
      return;
    case "context":
      w.u8(tag.id);
      return;
    case "common":
    case "implicit":
      if (tag.id <= 0xffff) w.u16le(tag.id);
      else w.u32le(tag.id);
      return;
    case "qualified":
      w.u16le(tag.vendorId).u16le(tag.profileNum);
      if (tag.id <= 0xffff) w.u16le(tag.id);
      else w.u32le(tag.id);
      return;
  }
}

function writeUInt(w: ByteWriter, value: bigint, width: TlvIntWidth): void {
  if (width === 1) w.u8(Number(value));
  else if (width === 2) w.u16le(Number(value));
  else if (width === 4) w.u32le(Number(value));
  else w.u64le(value);
}

function writeLength(w: ByteWriter, length: number, width: TlvIntWidth): void {
  if (width === 1) w.u8(length);
  else if (width === 2) w.u16le(length);
  else if (width === 4) w.u32le(length);
  else w.u64le(BigInt(length));
}

function writeString(w: ByteWriter, node: TlvNode, base: number, bytes: Uint8Array): void {
  const width = lengthWidth(bytes.length);
  writeHead(w, node.tag, base + INT_CODE[width]);
  writeLength(w, bytes.length, width);
  w.bytes(bytes);
}

function writeAscii(w: ByteWriter, node: TlvNode, text: string): void {
  const width = lengthWidth(text.length);
  writeHead(w, node.tag, 0x0c + INT_CODE[width]);
  writeLength(w, text.length, width);
  w.ascii(text);
}

function write(w: ByteWriter, node: TlvNode, strings: Map<TlvNode, Uint8Array>): void {
  switch (node.type) {
    case "int": {
      const width = intWidth(node);
      writeHead(w, node.tag, 0x00 + INT_CODE[width]);
      if (width === 1) w.i8(Number(node.value));
      else if (width === 2) w.i16le(Number(node.value));
      else if (width === 4) w.i32le(Number(node.value));
      else w.i64le(node.value);
      return;
    }
    case "uint": {
      const width = intWidth(node);
      writeHead(w, node.tag, 0x04 + INT_CODE[width]);
      writeUInt(w, node.value, width);
      return;
    }
    case "bool":
      writeHead(w, node.tag, node.value ? 0x09 : 0x08);
      return;
    case "null":
      writeHead(w, node.tag, 0x14);
      return;
    case "float":
      if (floatWidth(node) === 4) {
        writeHead(w, node.tag, 0x0a);
        w.f32le(node.value);
      } else {
        writeHead(w, node.tag, 0x0b);
        w.f64le(node.value);
      }
      return;
    case "utf8": {
      const bytes = strings.get(node);
      if (bytes === undefined) writeAscii(w, node, node.value);
      else writeString(w, node, 0x0c, bytes);
      return;
    }
    case "bytes":
      writeString(w, node, 0x10, node.value);
      return;
    default:
      writeHead(w, node.tag, node.type === "struct" ? 0x15 : node.type === "array" ? 0x16 : 0x17);
      for (const child of node.elements) write(w, child, strings);
      w.u8(0x18);
  }
}
