/** The one bounds-checked reader over a byte array: every read names the field it reads and fails with MalformedError. */
import { MalformedError } from "./errors.ts";

/** Sequential reader; `offset` is absolute within `bytes`. Reads past the end throw `bytes.overrun` naming the field. */
export class ByteReader {
  readonly bytes: Uint8Array;
  offset: number;
  /** Created on the first multi-byte read: most readers only take bytes and single octets. */
  #dataView: DataView | undefined;
  readonly #end: number;

  constructor(bytes: Uint8Array, offset = 0, end = bytes.length) {
    if (offset < 0 || end > bytes.length || offset > end) throw new RangeError("ByteReader bounds outside the array");
    this.bytes = bytes;
    this.offset = offset;
    this.#end = end;
  }

  get #view(): DataView {
    if (this.#dataView === undefined) {
      this.#dataView = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    }
    return this.#dataView;
  }

  /** Bytes left before the end. */
  get remaining(): number {
    return this.#end - this.offset;
  }

  /** True when every byte was read. */
  get done(): boolean {
    return this.offset >= this.#end;
  }

  #need(n: number, field: string): number {
    if (n > this.#end - this.offset) {
      throw new MalformedError("bytes.overrun", `needs ${n} byte(s), only ${this.#end - this.offset} left`, {
        path: field,
        offset: this.offset,
      });
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }

  /** Throws `bytes.trailing` unless every byte was consumed. */
  expectEnd(field: string): void {
    if (this.offset !== this.#end) {
      throw new MalformedError("bytes.trailing", `${this.#end - this.offset} trailing byte(s)`, {
        path: field,
        offset: this.offset,
      });
    }
  }

  u8(field: string): number {
    return this.bytes[this.#need(1, field)]!;
  }
  u16le(field: string): number {
    return this.#view.getUint16(this.#need(2, field), true);
  }
  u32le(field: string): number {
    return this.#view.getUint32(this.#need(4, field), true);
  }
  u64le(field: string): bigint {
    return this.#view.getBigUint64(this.#need(8, field), true);
  }
  i8(field: string): number {
    return this.#view.getInt8(this.#need(1, field));
  }
  i16le(field: string): number {
    return this.#view.getInt16(this.#need(2, field), true);
  }
  i32le(field: string): number {
    return this.#view.getInt32(this.#need(4, field), true);
  }
  i64le(field: string): bigint {
    return this.#view.getBigInt64(this.#need(8, field), true);
  }
  f32le(field: string): number {
    return this.#view.getFloat32(this.#need(4, field), true);
  }
  f64le(field: string): number {
    return this.#view.getFloat64(this.#need(8, field), true);
  }
  u16be(field: string): number {
    return this.#view.getUint16(this.#need(2, field), false);
  }
  u32be(field: string): number {
    return this.#view.getUint32(this.#need(4, field), false);
  }
  u64be(field: string): bigint {
    return this.#view.getBigUint64(this.#need(8, field), false);
  }

  /** The next `n` bytes as a subarray (no copy). */
  take(n: number, field: string): Uint8Array {
    const at = this.#need(n, field);
    return this.bytes.subarray(at, at + n);
  }

  /** The next byte without consuming it; throws `bytes.overrun` at the end. */
  peek(field: string): number {
    if (this.offset >= this.#end) {
      throw new MalformedError("bytes.overrun", "needs 1 byte, none left", { path: field, offset: this.offset });
    }
    return this.bytes[this.offset]!;
  }
}
