import assert from "node:assert/strict";
import { test } from "node:test";
import { Privilege } from "../../src/fabric/access-control.ts";
import { ImStatus } from "../../src/fabric/status-codes.ts";
import { writeAttribute } from "../../src/im/attribute-write.ts";
import { ClusterInstance } from "../../src/im/data-model.ts";
import { ANONYMOUS, ctx, type TlvNode } from "../../src/tlv/tlv-node.ts";
import { tlvArray, tlvUInt64 } from "../../src/tlv/tlv-schema.ts";
import { allowAll, Entry, grantUpTo, pase, session, toyCluster } from "./fixtures.ts";

const make = () => {
  const t = toyCluster();
  return { ...t, inst: new ClusterInstance(0, t.cluster, 0xffffffff) };
};
const wctx = (s = session(), timed = false) => ({ session: s, timed, now: 0 });
const u64 = (v: bigint) => tlvUInt64.encodeNode(v, ANONYMOUS);

test("write: read-only and global attributes → UNSUPPORTED_WRITE, even without access", async () => {
  const { inst } = make();
  for (const id of [2, 3, 0xfffd, 0xfffb]) {
    const out = await writeAttribute(inst, id, u64(1n), wctx(), () => false);
    assert.equal(out.status, ImStatus.UNSUPPORTED_WRITE, `attribute ${id}`);
  }
  assert.equal((await writeAttribute(inst, 0x42, u64(1n), wctx(), allowAll)).status, ImStatus.UNSUPPORTED_ATTRIBUTE);
});

test("write: insufficient write privilege → UNSUPPORTED_ACCESS; value unchanged", async () => {
  const { inst, state } = make();
  const out = await writeAttribute(inst, 0, u64(9n), wctx(), grantUpTo(Privilege.Operate));
  assert.equal(out.status, ImStatus.UNSUPPORTED_ACCESS);
  assert.equal(state.counter, 5n);
});

test("write: success bumps the data version (wrapping) and notifies listeners", async () => {
  const { inst, state } = make();
  const seen: unknown[] = [];
  inst.onAttributeChange((c) => seen.push(c));
  const out = await writeAttribute(inst, 0, u64(9n), wctx(), allowAll);
  assert.equal(out.status, ImStatus.SUCCESS);
  assert.equal(state.counter, 9n);
  assert.equal(inst.dataVersion, 0);
  assert.deepEqual(seen, [
    { endpoint: 0, cluster: inst.cluster.id, attribute: 0, dataVersion: 0, changesOmitted: false },
  ]);
});

test("write: wrong type → CONSTRAINT_ERROR and the handler is not called", async () => {
  const { inst, state } = make();
  const out = await writeAttribute(inst, 0, { tag: ANONYMOUS, type: "utf8", value: "x" }, wctx(), allowAll);
  assert.equal(out.status, ImStatus.CONSTRAINT_ERROR);
  assert.equal(state.counter, 5n);
});

test("write: fabric-scoped list needs a fabric; entries get the accessing fabric's index", async () => {
  const { inst, state } = make();
  const list: TlvNode = tlvArray(Entry).encodeNode(
    [{ name: "x", secret: Uint8Array.of(9), fabricIndex: 7 }],
    ANONYMOUS,
  );
  assert.equal((await writeAttribute(inst, 1, list, wctx(pase()), allowAll)).status, ImStatus.UNSUPPORTED_ACCESS);
  assert.equal(
    (await writeAttribute(inst, 1, list, wctx(session({ fabricIndex: 2 })), allowAll)).status,
    ImStatus.SUCCESS,
  );
  assert.deepEqual(
    state.entries.map((e) => [e.name, e.fabricIndex]),
    [
      ["a", 1],
      ["c", 1],
      ["x", 2],
    ],
  );
});

test("write: append adds one entry to the accessing fabric's entries", async () => {
  const { inst, state } = make();
  const entry = Entry.encodeNode({ name: "d", secret: Uint8Array.of(4) }, ctx(0));
  const out = await writeAttribute(inst, 1, entry, wctx(session({ fabricIndex: 1 })), allowAll, { append: true });
  assert.equal(out.status, ImStatus.SUCCESS);
  assert.deepEqual(
    state.entries.map((e) => [e.name, e.fabricIndex]),
    [
      ["b", 2],
      ["a", 1],
      ["c", 1],
      ["d", 1],
    ],
  );
});

test("write: a handler's refusal status is returned", async () => {
  const { inst } = make();
  const list = tlvArray(Entry).encodeNode([{ name: "bad", secret: new Uint8Array(0) }], ANONYMOUS);
  assert.equal((await writeAttribute(inst, 1, list, wctx(), allowAll)).status, ImStatus.CONSTRAINT_ERROR);
});
