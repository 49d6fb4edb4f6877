import assert from "node:assert/strict";
import { test } from "node:test";
import { Privilege } from "../../src/fabric/access-control.ts";
import { ImStatus } from "../../src/fabric/status-codes.ts";
import { readAttribute } from "../../src/im/attribute-read.ts";
import { ClusterInstance, GlobalAttribute } from "../../src/im/data-model.ts";
import type { TlvNode } from "../../src/tlv/tlv-node.ts";
import { tlvArray, tlvUInt32 } from "../../src/tlv/tlv-schema.ts";
import { allowAll, Entry, grantUpTo, pase, session, toyCluster } from "./fixtures.ts";

const make = () => {
  const t = toyCluster();
  return { ...t, inst: new ClusterInstance(0, t.cluster, 0x10) };
};
const rctx = (s = session()) => ({ session: s, now: 0 });
const entries = (n: TlvNode) => tlvArray(Entry).decodeNode(n, "t");
const ids = (n: TlvNode) => tlvArray(tlvUInt32).decodeNode(n, "t");

function data(out: ReturnType<typeof readAttribute>): TlvNode {
  assert.equal(out.kind, "data");
  return (out as { value: TlvNode }).value;
}

test("read: global attributes (revision, feature map, attribute/accepted/generated lists; no EventList)", () => {
  const { inst } = make();
  const r = (id: number) => data(readAttribute(inst, id, rctx(), { fabricFiltered: true }, allowAll));
  assert.deepEqual(r(GlobalAttribute.ClusterRevision), { tag: { form: "anonymous" }, type: "uint", value: 3n });
  assert.deepEqual((r(GlobalAttribute.FeatureMap) as { value: bigint }).value, 5n);
  assert.deepEqual(ids(r(GlobalAttribute.AttributeList)), [0, 1, 2, 3, 0xfff8, 0xfff9, 0xfffb, 0xfffc, 0xfffd]);
  assert.deepEqual(ids(r(GlobalAttribute.AcceptedCommandList)), [0, 2, 3]);
  assert.deepEqual(ids(r(GlobalAttribute.GeneratedCommandList)), [1]);
  const eventList = readAttribute(inst, 0xfffa, rctx(), { fabricFiltered: true }, allowAll);
  assert.deepEqual(eventList, { kind: "status", status: ImStatus.UNSUPPORTED_ATTRIBUTE });
});

test("read: value with the instance's data version; unknown attribute → UNSUPPORTED_ATTRIBUTE", () => {
  const { inst } = make();
  const out = readAttribute(inst, 0, rctx(), { fabricFiltered: false }, allowAll);
  assert.deepEqual(out, {
    kind: "data",
    dataVersion: 0x10,
    value: { tag: { form: "anonymous" }, type: "uint", value: 5n },
  });
  assert.deepEqual(readAttribute(inst, 0x99, rctx(), { fabricFiltered: false }, allowAll), {
    kind: "status",
    status: ImStatus.UNSUPPORTED_ATTRIBUTE,
  });
});

test("read: insufficient read privilege → UNSUPPORTED_ACCESS (globals need View)", () => {
  const { inst } = make();
  assert.deepEqual(readAttribute(inst, 2, rctx(), { fabricFiltered: false }, grantUpTo(Privilege.Manage)), {
    kind: "status",
    status: ImStatus.UNSUPPORTED_ACCESS,
  });
  assert.equal(readAttribute(inst, 2, rctx(), { fabricFiltered: false }, grantUpTo(Privilege.Administer)).kind, "data");
  assert.deepEqual(
    readAttribute(inst, 0xfffd, rctx(), { fabricFiltered: false }, () => false),
    {
      kind: "status",
      status: ImStatus.UNSUPPORTED_ACCESS,
    },
  );
});

test("read: a getter's ImStatusError becomes the path's status", () => {
  const { inst } = make();
  assert.deepEqual(readAttribute(inst, 3, rctx(), { fabricFiltered: false }, allowAll), {
    kind: "status",
    status: ImStatus.INVALID_IN_STATE,
  });
});

test("read: fabric-filtered read of a fabric-scoped list returns only the accessing fabric's entries", () => {
  const { inst } = make();
  const got = entries(
    data(readAttribute(inst, 1, rctx(session({ fabricIndex: 1 })), { fabricFiltered: true }, allowAll)),
  );
  assert.deepEqual(
    got.map((e) => e.name),
    ["a", "c"],
  );
  const two = entries(
    data(readAttribute(inst, 1, rctx(session({ fabricIndex: 2 })), { fabricFiltered: true }, allowAll)),
  );
  assert.deepEqual(
    two.map((e) => [e.name, e.fabricIndex]),
    [["b", 2]],
  );
  // PASE without a fabric sees nothing in a filtered read.
  const none = data(readAttribute(inst, 1, rctx(pase()), { fabricFiltered: true }, allowAll));
  assert.deepEqual((none as { elements: unknown[] }).elements, []);
});

test("read: unfiltered read returns every entry, omitting fabric-sensitive fields of other fabrics", () => {
  const { inst } = make();
  const node = data(readAttribute(inst, 1, rctx(session({ fabricIndex: 2 })), { fabricFiltered: false }, allowAll));
  assert.equal(node.type, "array");
  const els = (node as { elements: TlvNode[] }).elements;
  assert.equal(els.length, 3);
  const fieldTags = els.map((e) => (e as { elements: TlvNode[] }).elements.map((f) => (f.tag as { id: number }).id));
  // Entries of fabric 1 lose field 2 (secret) but keep name (1) and FabricIndex (0xFE); fabric 2's own entry is whole.
  assert.deepEqual(fieldTags, [
    [1, 0xfe],
    [1, 2, 0xfe],
    [1, 0xfe],
  ]);
  // Over PASE (no fabric) every entry is "another fabric's".
  const p = data(readAttribute(inst, 1, rctx(pase()), { fabricFiltered: false }, allowAll));
  for (const e of (p as { elements: TlvNode[] }).elements)
    assert.ok(!(e as { elements: TlvNode[] }).elements.some((f) => (f.tag as { id: number }).id === 2));
});
