/**
 * Typed access to the members of a decoded TLV struct, for the secure channel messages (PASE, session parameters).
 * Written over the TlvNode model before the shared `tlv-schema.ts` landed, and kept because it also enforces the
 * ascending tag order these structs fix ([ tag-order ]), which the shared schema does not. Unknown members are
 * skipped when `allowUnknown` is set, as connectedhomeip (ExitContainer) and matter.js do, so newer peers still
 * interoperate. Every mismatch is MalformedError "tlv.schema" naming the field path, as the schema contract does.
 */
import { MalformedError } from "../../bytes/errors.ts";
import { ctx, type TlvNode } from "../../tlv/tlv-node.ts";

const SCHEMA = "tlv.schema";

type Bounds = { readonly length?: number; readonly minLength?: number; readonly maxLength?: number };

/** Reads the context-tagged members of one struct; `allowUnknown` skips tags not read (forward compatibility). */
export class TlvStructReader {
  readonly path: string;
  readonly #members = new Map<number, TlvNode>();
  readonly #offset: number | undefined;

  constructor(node: TlvNode, path: string, options: { allowUnknown?: boolean; knownTags?: readonly number[] } = {}) {
    this.path = path;
    this.#offset = node.offset;
    if (node.type !== "struct") throw this.#error(path, `expected a struct, got ${node.type}`, node.offset);
    let last = -1;
    for (const m of node.elements) {
      if (m.tag.form !== "context") {
        if (options.allowUnknown === true) continue;
        throw this.#error(path, `unexpected ${m.tag.form} tag`, m.offset);
      }
      // Matter protocol structs list their members in ascending tag order; anything else is not what a conformant peer sends.
      if (m.tag.id <= last) throw this.#error(`${path}/${m.tag.id}`, "members out of tag order", m.offset);
      last = m.tag.id;
      if (options.knownTags !== undefined && !options.knownTags.includes(m.tag.id)) {
        if (options.allowUnknown === true) continue;
        throw this.#error(`${path}/${m.tag.id}`, "unknown member", m.offset);
      }
      this.#members.set(m.tag.id, m);
    }
  }

  #error(path: string, message: string, offset: number | undefined): MalformedError {
    return new MalformedError(SCHEMA, message, offset === undefined ? { path } : { path, offset });
  }

  #get(tag: number, name: string, required: boolean): TlvNode | undefined {
    const m = this.#members.get(tag);
    if (m === undefined && required) throw this.#error(`${this.path}/${name}`, "required member missing", this.#offset);
    return m;
  }

  /** An unsigned integer of at most `bits` bits (8, 16 or 32). */
  uint(tag: number, name: string, bits: 8 | 16 | 32): number {
    return this.optionalUint(tag, name, bits, true) as number;
  }

  optionalUint(tag: number, name: string, bits: 8 | 16 | 32, required = false): number | undefined {
    const m = this.#get(tag, name, required);
    if (m === undefined) return undefined;
    if (m.type !== "uint") throw this.#error(`${this.path}/${name}`, `expected uint${bits}, got ${m.type}`, m.offset);
    if (m.value >= 1n << BigInt(bits)) throw this.#error(`${this.path}/${name}`, `value exceeds uint${bits}`, m.offset);
    return Number(m.value);
  }

  bool(tag: number, name: string): boolean {
    const m = this.#get(tag, name, true) as TlvNode;
    if (m.type !== "bool") throw this.#error(`${this.path}/${name}`, `expected bool, got ${m.type}`, m.offset);
    return m.value;
  }

  /** An octet string within `bounds`. */
  bytes(tag: number, name: string, bounds: Bounds): Uint8Array {
    return this.optionalBytes(tag, name, bounds, true) as Uint8Array;
  }

  optionalBytes(tag: number, name: string, bounds: Bounds, required = false): Uint8Array | undefined {
    const m = this.#get(tag, name, required);
    if (m === undefined) return undefined;
    const path = `${this.path}/${name}`;
    if (m.type !== "bytes") throw this.#error(path, `expected octet string, got ${m.type}`, m.offset);
    const n = m.value.length;
    if (bounds.length !== undefined && n !== bounds.length) {
      throw this.#error(path, `expected ${bounds.length} bytes, got ${n}`, m.offset);
    }
    if (bounds.minLength !== undefined && n < bounds.minLength) {
      throw this.#error(path, `expected at least ${bounds.minLength} bytes, got ${n}`, m.offset);
    }
    if (bounds.maxLength !== undefined && n > bounds.maxLength) {
      throw this.#error(path, `expected at most ${bounds.maxLength} bytes, got ${n}`, m.offset);
    }
    return m.value;
  }

  /** A nested struct member, as its node (decode it with another reader). */
  optionalStruct(tag: number, name: string): TlvNode | undefined {
    const m = this.#get(tag, name, false);
    if (m !== undefined && m.type !== "struct") {
      throw this.#error(`${this.path}/${name}`, `expected struct, got ${m.type}`, m.offset);
    }
    return m;
  }
}

/** Node builders for encoding (minimal widths; the encoder picks them). */
export const node = {
  uint: (tag: number, value: number): TlvNode => ({ tag: ctx(tag), type: "uint", value: BigInt(value) }),
  bool: (tag: number, value: boolean): TlvNode => ({ tag: ctx(tag), type: "bool", value }),
  bytes: (tag: number, value: Uint8Array): TlvNode => ({ tag: ctx(tag), type: "bytes", value }),
};
