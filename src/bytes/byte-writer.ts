/** The one growable writer: little- and big-endian integers, raw bytes; `finish()` returns exactly what was written. */

/** Smallest buffer a growing writer allocates. */
const MIN_GROWTH_BYTES = 16;

/**
 * Append-only writer that grows its buffer geometrically. Encoders that plan their size pass it as the capacity: the
 * writer is then never copied, and `finish()` hands over the buffer itself.
 */
export class ByteWriter {
  #buf: Uint8Array;
  /** Created on the first 64-bit or float write: smaller integers are written byte by byte. */
  #dataView: DataView | undefined;
  #len = 0;

  constructor(initialCapacity = 256) {
    if (!Number.isInteger(initialCapacity) || initialCapacity < 0) {
      throw new RangeError(`bad ByteWriter capacity ${initialCapacity}`);
    }
    this.#buf = new Uint8Array(initialCapacity);
  }

  get #view(): DataView {
    if (this.#dataView === undefined) this.#dataView = new DataView(this.#buf.buffer);
    return this.#dataView;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#len;
  }

  #reserve(n: number): number {
    const need = this.#len + n;
    if (need > this.#buf.length) {
      let cap = Math.max(MIN_GROWTH_BYTES, this.#buf.length * 2);
      while (cap < need) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.#buf.subarray(0, this.#len));
      this.#buf = next;
      this.#dataView = undefined;
    }
    const at = this.#len;
    this.#len = need;
    return at;
  }

  /** Writes the low `n` bytes of the non-negative integer `v`, least significant first (no DataView needed). */
  #le(v: number, n: number): void {
    const at = this.#reserve(n);
    for (let i = 0; i < n; i++) this.#buf[at + i] = (v >>> (8 * i)) & 0xff;
  }

  /** Writes the low `n` bytes of the non-negative integer `v`, most significant first. */
  #be(v: number, n: number): void {
    const at = this.#reserve(n);
    for (let i = 0; i < n; i++) this.#buf[at + i] = (v >>> (8 * (n - 1 - i))) & 0xff;
  }

  u8(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new RangeError(`u8 out of range: ${v}`);
    const at = this.#reserve(1);
    this.#buf[at] = v;
    return this;
  }
  u16le(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`u16 out of range: ${v}`);
    this.#le(v, 2);
    return this;
  }
  u32le(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`u32 out of range: ${v}`);
    this.#le(v, 4);
    return this;
  }
  u64le(v: bigint): this {
    if (v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`u64 out of range: ${v}`);
    const at = this.#reserve(8);
    this.#view.setBigUint64(at, v, true);
    return this;
  }
  i8(v: number): this {
    if (!Number.isInteger(v) || v < -0x80 || v > 0x7f) throw new RangeError(`i8 out of range: ${v}`);
    const at = this.#reserve(1);
    this.#buf[at] = v & 0xff;
    return this;
  }
  i16le(v: number): this {
    if (!Number.isInteger(v) || v < -0x8000 || v > 0x7fff) throw new RangeError(`i16 out of range: ${v}`);
    this.#le(v & 0xffff, 2);
    return this;
  }
  i32le(v: number): this {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new RangeError(`i32 out of range: ${v}`);
    this.#le(v >>> 0, 4);
    return this;
  }
  i64le(v: bigint): this {
    if (v < -0x8000000000000000n || v > 0x7fffffffffffffffn) throw new RangeError(`i64 out of range: ${v}`);
    const at = this.#reserve(8);
    this.#view.setBigInt64(at, v, true);
    return this;
  }
  f32le(v: number): this {
    const at = this.#reserve(4);
    this.#view.setFloat32(at, v, true);
    return this;
  }
  f64le(v: number): this {
    const at = this.#reserve(8);
    this.#view.setFloat64(at, v, true);
    return this;
  }
  u16be(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`u16 out of range: ${v}`);
    this.#be(v, 2);
    return this;
  }
  u32be(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`u32 out of range: ${v}`);
    this.#be(v, 4);
    return this;
  }
  u64be(v: bigint): this {
    if (v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`u64 out of range: ${v}`);
    const at = this.#reserve(8);
    this.#view.setBigUint64(at, v, false);
    return this;
  }

  /** Appends an ASCII string, one byte per character; a character above U+007F is a RangeError. */
  ascii(s: string): this {
    const at = this.#reserve(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.#len = at;
        throw new RangeError(`not an ASCII string: ${JSON.stringify(s)}`);
      }
      this.#buf[at + i] = c;
    }
    return this;
  }

  /** Appends raw bytes. */
  bytes(b: Uint8Array): this {
    const at = this.#reserve(b.length);
    this.#buf.set(b, at);
    return this;
  }

  /**
   * The bytes written. A full buffer is handed over as it is: a later write cannot change it, since a write to a full
   * writer moves to a new buffer first. Otherwise a copy of the written part.
   */
  finish(): Uint8Array {
    return this.#len === this.#buf.length ? this.#buf : this.#buf.slice(0, this.#len);
  }
}
