/**
 * Strict Matter TLV decoder (Core spec Appendix A.7): exactly one element, every length bounds-checked, nesting
 * limited, UTF-8 validated, container membership rules enforced. Every failure is a MalformedError "tlv.*".
 */
import { ByteReader } from "../bytes/byte-reader.ts";
import { MalformedError } from "../bytes/errors.ts";
import { MAX_TLV_DEPTH, type TlvIntWidth, type TlvNode, type TlvTag, TlvTagControl, tagToString } from "./tlv-node.ts";

/** Options of decodeTlv: `maxDepth` = most containers open at once (default MAX_TLV_DEPTH, 0 = scalars only); `path` names the root in errors (default "root"). */
export type TlvDecodeOptions = { maxDepth?: number; path?: string };

/** Stable error codes of the decoder. */
export const TlvErrorCode = {
  /** A length, tag or value runs past the end of the input. */
  overrun: "tlv.overrun",
  /** Bytes remain after the single top-level element. */
  trailing: "tlv.trailing",
  /** Containers nest deeper than maxDepth. */
  depth: "tlv.depth",
  /** A UTF-8 string is not valid UTF-8. */
  utf8: "tlv.utf8",
  /** A tag is not allowed where it appears (struct member without a tag, array member with one, tagged end-of-container). */
  tag: "tlv.tag",
  /** Two members of one struct carry the same tag. */
  duplicateTag: "tlv.duplicate-tag",
  /** A reserved element type (0x19..0x1F). */
  type: "tlv.type",
  /** An end-of-container outside any container. */
  end: "tlv.end",
  /** The input ends inside a container that was never closed. */
  unclosed: "tlv.unclosed",
} as const;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const INT_WIDTHS: readonly TlvIntWidth[] = [1, 2, 4, 8];

/** Decodes exactly one TLV element from `bytes`; trailing bytes, overruns and structural violations throw MalformedError. */
export function decodeTlv(bytes: Uint8Array, options: TlvDecodeOptions = {}): TlvNode {
  const maxDepth = options.maxDepth ?? MAX_TLV_DEPTH;
  if (!Number.isInteger(maxDepth) || maxDepth < 0) throw new RangeError(`maxDepth must be a non-negative integer`);
  const root = options.path ?? "root";
  const r = new ByteReader(bytes);
  if (r.remaining === 0)
    throw new MalformedError(TlvErrorCode.overrun, "empty input, expected one element", { path: root, offset: 0 });
  const start = r.offset;
  const node = readElement(r, undefined, root, 0, maxDepth);
  if (node === END) {
    throw new MalformedError(TlvErrorCode.end, "end-of-container outside any container", { path: root, offset: start });
  }
  if (!r.done) {
    throw new MalformedError(TlvErrorCode.trailing, `${r.remaining} trailing byte(s) after the element`, {
      path: root,
      offset: r.offset,
    });
  }
  return node;
}

const END: unique symbol = Symbol("end-of-container");

function need(r: ByteReader, n: number, path: string, what: string): void {
  if (n > r.remaining) {
    throw new MalformedError(TlvErrorCode.overrun, `${what} needs ${n} byte(s), only ${r.remaining} left`, {
      path,
      offset: r.offset,
    });
  }
}

function readTag(r: ByteReader, control: number, path: string): TlvTag {
  switch (control) {
    case TlvTagControl.Anonymous:
      return { form: "anonymous" };
    case TlvTagControl.Context:
      need(r, 1, path, "context tag");
      return { form: "context", id: r.u8(path) };
    case TlvTagControl.Common2:
      need(r, 2, path, "common-profile tag");
      return { form: "common", id: r.u16le(path) };
    case TlvTagControl.Common4:
      need(r, 4, path, "common-profile tag");
      return { form: "common", id: r.u32le(path) };
    case TlvTagControl.Implicit2:
      need(r, 2, path, "implicit-profile tag");
      return { form: "implicit", id: r.u16le(path) };
    case TlvTagControl.Implicit4:
      need(r, 4, path, "implicit-profile tag");
      return { form: "implicit", id: r.u32le(path) };
    case TlvTagControl.Qualified6: {
      need(r, 6, path, "fully-qualified tag");
      const vendorId = r.u16le(path);
      const profileNum = r.u16le(path);
      return { form: "qualified", vendorId, profileNum, id: r.u16le(path) };
    }
    default: {
      need(r, 8, path, "fully-qualified tag");
      const vendorId = r.u16le(path);
      const profileNum = r.u16le(path);
      return { form: "qualified", vendorId, profileNum, id: r.u32le(path) };
    }
  }
}

function readLength(r: ByteReader, lengthWidth: TlvIntWidth, path: string): number {
  need(r, lengthWidth, path, "string length");
  let length: number;
  if (lengthWidth === 1) length = r.u8(path);
  else if (lengthWidth === 2) length = r.u16le(path);
  else if (lengthWidth === 4) length = r.u32le(path);
  else {
    const big = r.u64le(path);
    // Anything above 2^53 - 1 is necessarily longer than the input; report it as an overrun, not a lossy number.
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new MalformedError(TlvErrorCode.overrun, `string length ${big} exceeds the input`, {
        path,
        offset: r.offset - 8,
      });
    }
    length = Number(big);
  }
  need(r, length, path, "string value");
  return length;
}

/** Reads one element; `path` is its position until its tag is known, then `parent/<tag>` for a tagged child. */
function readElement(
  r: ByteReader,
  parent: string | undefined,
  path: string,
  depth: number,
  maxDepth: number,
): TlvNode | typeof END {
  const offset = r.offset;
  need(r, 1, path, "control octet");
  const control = r.u8(path);
  const tagControl = control >> 5;
  const elementType = control & 0x1f;
  if (elementType === 0x18) {
    // Core A.7 (end of container): the element has no tag; a tagged one is malformed.
    if (tagControl !== TlvTagControl.Anonymous) {
      throw new MalformedError(TlvErrorCode.tag, "end-of-container carries a tag", { path, offset });
    }
    return END;
  }
  if (elementType > 0x18) {
    throw new MalformedError(TlvErrorCode.type, `reserved element type 0x${elementType.toString(16)}`, {
      path,
      offset,
    });
  }
  const tag = readTag(r, tagControl, path);
  if (parent !== undefined && tag.form !== "anonymous") path = `${parent}/${tagToString(tag)}`;
  switch (elementType) {
    case 0x00:
    case 0x01:
    case 0x02:
    case 0x03: {
      const width = INT_WIDTHS[elementType]!;
      need(r, width, path, "signed integer");
      const value =
        width === 1
          ? BigInt(r.i8(path))
          : width === 2
            ? BigInt(r.i16le(path))
            : width === 4
              ? BigInt(r.i32le(path))
              : r.i64le(path);
      return { tag, offset, type: "int", value, width };
    }
    case 0x04:
    case 0x05:
    case 0x06:
    case 0x07: {
      const width = INT_WIDTHS[elementType - 4]!;
      need(r, width, path, "unsigned integer");
      const value =
        width === 1
          ? BigInt(r.u8(path))
          : width === 2
            ? BigInt(r.u16le(path))
            : width === 4
              ? BigInt(r.u32le(path))
              : r.u64le(path);
      return { tag, offset, type: "uint", value, width };
    }
    case 0x08:
      return { tag, offset, type: "bool", value: false };
    case 0x09:
      return { tag, offset, type: "bool", value: true };
    case 0x0a:
      need(r, 4, path, "float32");
      return { tag, offset, type: "float", value: r.f32le(path), width: 4 };
    case 0x0b:
      need(r, 8, path, "float64");
      return { tag, offset, type: "float", value: r.f64le(path), width: 8 };
    case 0x0c:
    case 0x0d:
    case 0x0e:
    case 0x0f: {
      const length = readLength(r, INT_WIDTHS[elementType - 0x0c]!, path);
      const at = r.offset;
      const raw = r.take(length, path);
      let value: string;
      try {
        value = utf8.decode(raw);
      } catch (cause) {
        throw new MalformedError(TlvErrorCode.utf8, "invalid UTF-8 string", { path, offset: at }, { cause });
      }
      return { tag, offset, type: "utf8", value };
    }
    case 0x10:
    case 0x11:
    case 0x12:
    case 0x13: {
      const length = readLength(r, INT_WIDTHS[elementType - 0x10]!, path);
      return { tag, offset, type: "bytes", value: r.take(length, path).slice() };
    }
    case 0x14:
      return { tag, offset, type: "null" };
    default: {
      const type = elementType === 0x15 ? "struct" : elementType === 0x16 ? "array" : "list";
      if (depth + 1 > maxDepth) {
        throw new MalformedError(TlvErrorCode.depth, `containers nest deeper than ${maxDepth}`, { path, offset });
      }
      const elements: TlvNode[] = [];
      const seen = type === "struct" ? new Set<string>() : undefined;
      for (let index = 0; ; index++) {
        const childOffset = r.offset;
        const childPath = `${path}/[${index}]`;
        if (r.done) {
          throw new MalformedError(TlvErrorCode.unclosed, `${type} is not closed by an end-of-container`, {
            path,
            offset: childOffset,
          });
        }
        const child = readElement(r, path, childPath, depth + 1, maxDepth);
        if (child === END) break;
        if (type === "struct") {
          // Core A.5.1 (structures): every member is tagged, and no two members share a tag.
          if (child.tag.form === "anonymous") {
            throw new MalformedError(TlvErrorCode.tag, "struct member without a tag", {
              path: childPath,
              offset: childOffset,
            });
          }
          const key = tagToString(child.tag);
          if (seen!.has(key)) {
            throw new MalformedError(TlvErrorCode.duplicateTag, `duplicate tag ${key} in struct`, {
              path: `${path}/${key}`,
              offset: childOffset,
            });
          }
          seen!.add(key);
        } else if (type === "array" && child.tag.form !== "anonymous") {
          // Core A.5.2 (arrays): members are anonymous.
          throw new MalformedError(TlvErrorCode.tag, `array member with tag ${tagToString(child.tag)}`, {
            path: `${path}/${tagToString(child.tag)}`,
            offset: childOffset,
          });
        }
        elements.push(child);
      }
      return { tag, offset, type, elements };
    }
  }
}
