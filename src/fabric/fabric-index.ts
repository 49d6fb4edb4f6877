/**
 * FabricIndex (Core spec 7.5.2: 1..254; 0 means "no fabric", e.g. a PASE session before AddNOC) and the allocator of the
 * next index: monotonic, wraps 254 -> 1, skips indices in use, and is persisted so it never goes back across a restart.
 */

/** A valid fabric index, 1..254. */
export type FabricIndex = number & { readonly __brand: "FabricIndex" };

/** The smallest valid fabric index. */
export const MIN_FABRIC_INDEX = 1;
/** The largest valid fabric index (255 is invalid, 0 means none). */
export const MAX_FABRIC_INDEX = 254;

/** True when `n` is a valid fabric index (1..254). */
export function isFabricIndex(n: unknown): n is FabricIndex {
  return typeof n === "number" && Number.isInteger(n) && n >= MIN_FABRIC_INDEX && n <= MAX_FABRIC_INDEX;
}

/** `n` as a FabricIndex; RangeError outside 1..254. */
export function fabricIndex(n: number): FabricIndex {
  if (!isFabricIndex(n)) throw new RangeError(`fabric index ${n} is outside ${MIN_FABRIC_INDEX}..${MAX_FABRIC_INDEX}`);
  return n;
}

/** The index after `n`, wrapping 254 -> 1. */
export function followingFabricIndex(n: FabricIndex): FabricIndex {
  return (n === MAX_FABRIC_INDEX ? MIN_FABRIC_INDEX : n + 1) as FabricIndex;
}

/**
 * The next-index cursor: `candidate(used)` is the first free index at or after the cursor (wrapping), and
 * `allocated(index)` moves the cursor past a committed index. Persisting `next` is the caller's job.
 */
export class FabricIndexAllocator {
  #next: FabricIndex;

  constructor(next: FabricIndex = MIN_FABRIC_INDEX as FabricIndex) {
    this.#next = fabricIndex(next);
  }

  /** The cursor: where the search for the next free index starts. */
  get next(): FabricIndex {
    return this.#next;
  }

  /** The first index at or after the cursor not in `used`, or undefined when all 254 are used. */
  candidate(used: ReadonlySet<number>): FabricIndex | undefined {
    let index = this.#next;
    for (let i = 0; i < MAX_FABRIC_INDEX; i++) {
      if (!used.has(index)) return index;
      index = followingFabricIndex(index);
    }
    return undefined;
  }

  /** Records that `index` was committed: the cursor moves to the index after it. */
  allocated(index: FabricIndex): void {
    this.#next = followingFabricIndex(fabricIndex(index));
  }
}
