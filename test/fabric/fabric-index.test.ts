import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type FabricIndex,
  FabricIndexAllocator,
  fabricIndex,
  followingFabricIndex,
  isFabricIndex,
} from "../../src/fabric/fabric-index.ts";

test("valid fabric indices are 1..254", () => {
  assert.equal(isFabricIndex(0), false);
  assert.equal(isFabricIndex(1), true);
  assert.equal(isFabricIndex(254), true);
  assert.equal(isFabricIndex(255), false);
  assert.equal(isFabricIndex(1.5), false);
  assert.throws(() => fabricIndex(0), RangeError);
  assert.throws(() => fabricIndex(255), RangeError);
});

test("following index wraps 254 -> 1", () => {
  assert.equal(followingFabricIndex(fabricIndex(1)), 2);
  assert.equal(followingFabricIndex(fabricIndex(254)), 1);
});

test("allocator is monotonic, skips used indices and wraps", () => {
  const a = new FabricIndexAllocator();
  assert.equal(a.candidate(new Set()), 1);
  a.allocated(fabricIndex(1));
  assert.equal(a.candidate(new Set([1])), 2);
  // A freed lower index is not reused while higher ones are free.
  a.allocated(fabricIndex(2));
  assert.equal(a.candidate(new Set([2])), 3);
  const w = new FabricIndexAllocator(fabricIndex(253));
  assert.equal(w.candidate(new Set([253, 254, 1])), 2);
  w.allocated(fabricIndex(254));
  assert.equal(w.next, 1);
});

test("allocator reports a full index space", () => {
  const all = new Set<number>(Array.from({ length: 254 }, (_, i) => i + 1));
  assert.equal(new FabricIndexAllocator(fabricIndex(77)).candidate(all), undefined);
  all.delete(76);
  assert.equal(new FabricIndexAllocator(fabricIndex(77)).candidate(all), 76 as FabricIndex);
});
