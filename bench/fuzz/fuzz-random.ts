/**
 * The fuzzers' seeded pseudo-random source (SplitMix32 over a 32-bit state): one seed reproduces a whole run, and a
 * (seed, target, input index) triple reproduces one input without replaying the ones before it.
 */

/** A deterministic random source; never used for keys, only to choose mutations and kill moments. */
export class FuzzRandom {
  #state: number;

  /** A source whose whole sequence is fixed by `seed` (any integer; only its low 32 bits count). */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A source for one named stream of `seed` (e.g. one target, or one input of a target). */
  static derive(seed: number, ...labels: readonly (string | number)[]): FuzzRandom {
    let h = (seed ^ 0x9e3779b9) >>> 0;
    for (const label of labels) for (const ch of String(label)) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    return new FuzzRandom(h);
  }

  /** The next 32 random bits as an unsigned integer. */
  next(): number {
    this.#state = (this.#state + 0x9e3779b9) >>> 0;
    let z = this.#state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** An integer in [0, n); n must be a positive integer. */
  below(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`below(${n})`);
    return n <= 0x1_0000_0000 ? Math.floor((this.next() / 0x1_0000_0000) * n) : Math.floor(this.float() * n);
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next() / 0x1_0000_0000;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("pick from an empty list");
    return items[this.below(items.length)] as T;
  }

  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }
}
