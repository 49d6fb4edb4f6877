/**
 * Strict Matter TLV decoder (Core spec Appendix A.7): exactly one element, every length bounds-checked, nesting
 * limited, UTF-8 validated, container membership rules enforced. Every failure is a MalformedError "tlv.*".
 */
import { ByteReader } from "../bytes/byte-reader.ts";
import { MalformedError } from "../bytes/errors.ts";
import {
  ANONYMOUS,
  MAX_TLV_DEPTH,
  type TlvIntWidth,
  type TlvNode,
  type TlvTag,
  TlvTagControl,
  tagToString,
} from "./tlv-node.ts";

/** Options of decodeTlv: `maxDepth` = most containers open at once (default MAX_TLV_DEPTH, 0 = scalars only); `path` names the root in errors (default "root"). */
export type TlvDecodeOptions = { maxDepth?: number; path?: string };

/** Stable error codes of the decoder. */
const TlvErrorCode = {
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
  const w = new Walk(new ByteReader(bytes), root, maxDepth);
  const r = w.r;
  if (r.remaining === 0)
    throw new MalformedError(TlvErrorCode.overrun, "empty input, expected one element", { path: root, offset: 0 });
  const start = r.offset;
  w.indices[0] = 0;
  const node = readElement(w, 0);
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

/** Field name given to ByteReader reads that `need` has already bounds-checked (so it never appears in an error). */
const CHECKED = "tlv";

/**
 * The state of one decode: the reader and, per nesting level, the position of the element being read (its tag once
 * known, else its index in the parent). Error paths are formatted from it only when a check fails: the element at
 * level 0 is `root`, a tagged child is `parent/<tag>`, an anonymous one (or one whose tag is not read yet) `parent/[i]`.
 */
class Walk {
  readonly r: ByteReader;
  readonly root: string;
  readonly maxDepth: number;
  readonly tags: (TlvTag | undefined)[] = [];
  readonly indices: number[] = [];

  constructor(r: ByteReader, root: string, maxDepth: number) {
    this.r = r;
    this.root = root;
    this.maxDepth = maxDepth;
  }

  /** The error path of the element at `level`. */
  path(level: number): string {
    let p = this.root;
    for (let k = 1; k <= level; k++) {
      const tag = this.tags[k];
      p += tag !== undefined && tag.form !== "anonymous" ? `/${tagToString(tag)}` : `/[${this.indices[k]}]`;
    }
    return p;
  }
}

function need(w: Walk, n: number, level: number, what: string): void {
  const r = w.r;
  if (n > r.remaining) {
    throw new MalformedError(TlvErrorCode.overrun, `${what} needs ${n} byte(s), only ${r.remaining} left`, {
      path: w.path(level),
      offset: r.offset,
    });
  }
}

/** The context tags, made once: most elements of Matter messages and certificates carry one, and a tag is immutable. */
const CONTEXT_TAGS: readonly TlvTag[] = Array.from({ length: 0x100 }, (_, id) =>
  Object.freeze({ form: "context", id }),
);

/** Context tag numbers below this are tracked in a struct's duplicate check by a bit of one 32-bit mask. */
const MASKED_CONTEXT_TAGS = 32;

function readTag(w: Walk, control: number, level: number): TlvTag {
  const r = w.r;
  switch (control) {
    case TlvTagControl.Anonymous:
      return ANONYMOUS;
    case TlvTagControl.Context:
      need(w, 1, level, "context tag");
      return CONTEXT_TAGS[r.u8(CHECKED)]!;
    case TlvTagControl.Common2:
      need(w, 2, level, "common-profile tag");
      return { form: "common", id: r.u16le(CHECKED) };
    case TlvTagControl.Common4:
      need(w, 4, level, "common-profile tag");
      return { form: "common", id: r.u32le(CHECKED) };
    case TlvTagControl.Implicit2:
      need(w, 2, level, "implicit-profile tag");
      return { form: "implicit", id: r.u16le(CHECKED) };
    case TlvTagControl.Implicit4:
      need(w, 4, level, "implicit-profile tag");
      return { form: "implicit", id: r.u32le(CHECKED) };
    case TlvTagControl.Qualified6: {
      need(w, 6, level, "fully-qualified tag");
      const vendorId = r.u16le(CHECKED);
      const profileNum = r.u16le(CHECKED);
      return { form: "qualified", vendorId, profileNum, id: r.u16le(CHECKED) };
    }
    default: {
      need(w, 8, level, "fully-qualified tag");
      const vendorId = r.u16le(CHECKED);
      const profileNum = r.u16le(CHECKED);
      return { form: "qualified", vendorId, profileNum, id: r.u32le(CHECKED) };
    }
  }
}

function readLength(w: Walk, lengthWidth: TlvIntWidth, level: number): number {
  const r = w.r;
  need(w, lengthWidth, level, "string length");
  let length: number;
  if (lengthWidth === 1) length = r.u8(CHECKED);
  else if (lengthWidth === 2) length = r.u16le(CHECKED);
  else if (lengthWidth === 4) length = r.u32le(CHECKED);
  else {
    const big = r.u64le(CHECKED);
    // Anything above 2^53 - 1 is necessarily longer than the input; report it as an overrun, not a lossy number.
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new MalformedError(TlvErrorCode.overrun, `string length ${big} exceeds the input`, {
        path: w.path(level),
        offset: r.offset - 8,
      });
    }
    length = Number(big);
  }
  need(w, length, level, "string value");
  return length;
}

/** Longest string decoded by the ASCII fast path (String.fromCharCode over the bytes); longer ones use TextDecoder. */
const ASCII_FAST_PATH_MAX = 256;

/** The string of UTF-8 `bytes`; invalid UTF-8 throws (TextDecoder with `fatal`). ASCII is valid UTF-8 as is. */
function decodeUtf8(bytes: Uint8Array): string {
  if (bytes.length <= ASCII_FAST_PATH_MAX) {
    let ascii = true;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  }
  return utf8.decode(bytes);
}

/** A little-endian integer of `width` bytes (two's complement when `signed`) the caller has bounds-checked. */
function readInteger(r: ByteReader, width: TlvIntWidth, signed: boolean): bigint {
  switch (width) {
    case 1:
      return BigInt(signed ? r.i8(CHECKED) : r.u8(CHECKED));
    case 2:
      return BigInt(signed ? r.i16le(CHECKED) : r.u16le(CHECKED));
    case 4:
      return BigInt(signed ? r.i32le(CHECKED) : r.u32le(CHECKED));
    default:
      return signed ? r.i64le(CHECKED) : r.u64le(CHECKED);
  }
}

/** Reads the element at nesting `level`; the caller has set `w.indices[level]`. */
function readElement(w: Walk, level: number): TlvNode | typeof END {
  const r = w.r;
  w.tags[level] = undefined;
  const offset = r.offset;
  need(w, 1, level, "control octet");
  const control = r.u8(CHECKED);
  const tagControl = control >> 5;
  const elementType = control & 0x1f;
  if (elementType === 0x18) {
    // Core A.7 (end of container): the element has no tag; a tagged one is malformed.
    if (tagControl !== TlvTagControl.Anonymous) {
      throw new MalformedError(TlvErrorCode.tag, "end-of-container carries a tag", { path: w.path(level), offset });
    }
    return END;
  }
  if (elementType > 0x18) {
    throw new MalformedError(TlvErrorCode.type, `reserved element type 0x${elementType.toString(16)}`, {
      path: w.path(level),
      offset,
    });
  }
  const tag = readTag(w, tagControl, level);
  w.tags[level] = tag;
  switch (elementType) {
    case 0x00:
    case 0x01:
    case 0x02:
    case 0x03:
    case 0x04:
    case 0x05:
    case 0x06:
    case 0x07: {
      // Types 0x00-0x03 are the signed integers, 0x04-0x07 the unsigned ones, each of 1, 2, 4 or 8 bytes.
      const signed = elementType < 0x04;
      const width = INT_WIDTHS[elementType & 0x03]!;
      need(w, width, level, signed ? "signed integer" : "unsigned integer");
      return { tag, offset, type: signed ? "int" : "uint", value: readInteger(r, width, signed), width };
    }
    case 0x08:
      return { tag, offset, type: "bool", value: false };
    case 0x09:
      return { tag, offset, type: "bool", value: true };
    case 0x0a:
      need(w, 4, level, "float32");
      return { tag, offset, type: "float", value: r.f32le(CHECKED), width: 4 };
    case 0x0b:
      need(w, 8, level, "float64");
      return { tag, offset, type: "float", value: r.f64le(CHECKED), width: 8 };
    case 0x0c:
    case 0x0d:
    case 0x0e:
    case 0x0f: {
      const length = readLength(w, INT_WIDTHS[elementType - 0x0c]!, level);
      const at = r.offset;
      const raw = r.take(length, CHECKED);
      let value: string;
      try {
        value = decodeUtf8(raw);
      } catch (cause) {
        throw new MalformedError(
          TlvErrorCode.utf8,
          "invalid UTF-8 string",
          { path: w.path(level), offset: at },
          { cause },
        );
      }
      return { tag, offset, type: "utf8", value };
    }
    case 0x10:
    case 0x11:
    case 0x12:
    case 0x13: {
      const length = readLength(w, INT_WIDTHS[elementType - 0x10]!, level);
      return { tag, offset, type: "bytes", value: r.take(length, CHECKED).slice() };
    }
    case 0x14:
      return { tag, offset, type: "null" };
    default: {
      const type = elementType === 0x15 ? "struct" : elementType === 0x16 ? "array" : "list";
      if (level + 1 > w.maxDepth) {
        throw new MalformedError(TlvErrorCode.depth, `containers nest deeper than ${w.maxDepth}`, {
          path: w.path(level),
          offset,
        });
      }
      const elements: TlvNode[] = [];
      // Struct member tags seen so far: context tags 0-31 as bits of `seenMask`; any other context tag by number and
      // other forms by their text, in a set made on first need (a struct is usually small and context-tagged).
      let seenMask = 0;
      let seen: Set<number | string> | undefined;
      const childLevel = level + 1;
      for (let index = 0; ; index++) {
        const childOffset = r.offset;
        w.indices[childLevel] = index;
        w.tags[childLevel] = undefined;
        if (r.done) {
          throw new MalformedError(TlvErrorCode.unclosed, `${type} is not closed by an end-of-container`, {
            path: w.path(level),
            offset: childOffset,
          });
        }
        const child = readElement(w, childLevel);
        if (child === END) break;
        if (type === "struct") {
          // Core A.5.1 (structures): every member is tagged, and no two members share a tag.
          const childTag = child.tag;
          if (childTag.form === "anonymous") {
            throw new MalformedError(TlvErrorCode.tag, "struct member without a tag", {
              path: w.path(childLevel),
              offset: childOffset,
            });
          }
          let duplicate: boolean;
          if (childTag.form === "context" && childTag.id < MASKED_CONTEXT_TAGS) {
            const bit = 1 << childTag.id;
            duplicate = (seenMask & bit) !== 0;
            seenMask |= bit;
          } else {
            const key = childTag.form === "context" ? childTag.id : tagToString(childTag);
            seen ??= new Set();
            duplicate = seen.has(key);
            seen.add(key);
          }
          if (duplicate) {
            throw new MalformedError(TlvErrorCode.duplicateTag, `duplicate tag ${tagToString(childTag)} in struct`, {
              path: w.path(childLevel),
              offset: childOffset,
            });
          }
        } else if (type === "array" && child.tag.form !== "anonymous") {
          // Core A.5.2 (arrays): members are anonymous.
          throw new MalformedError(TlvErrorCode.tag, `array member with tag ${tagToString(child.tag)}`, {
            path: w.path(childLevel),
            offset: childOffset,
          });
        }
        elements.push(child);
      }
      return { tag, offset, type, elements };
    }
  }
}
