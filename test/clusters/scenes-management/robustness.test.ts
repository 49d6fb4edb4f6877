// Robustness: random, structured-random and mutated CommandFields for every Scenes Management command either decode
// and answer with a response or an IM status, or are refused as malformed; the dispatcher never throws and a FAILURE
// status never hides an unexpected exception.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { MalformedError } from "../../../src/bytes/errors.ts";
import { AddSceneRequest } from "../../../src/clusters/scenes-management/add-scene.ts";
import { ScenesManagementCluster } from "../../../src/clusters/scenes-management/scenes-management-commands.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import type { InvokeOutcome } from "../../../src/im/invoke.ts";
import { decodeTlv } from "../../../src/tlv/tlv-decoder.ts";
import { encodeTlv } from "../../../src/tlv/tlv-encoder.ts";
import { ANONYMOUS, ctx, type TlvNode } from "../../../src/tlv/tlv-node.ts";
import { decodeFieldsOrMalformed } from "../../support/command-fuzz.ts";
import { enc, sess, setup } from "./helpers.ts";

const Cmd = ScenesManagementCluster.commands;

const COMMANDS = Object.values(Cmd);

function checkOutcome(commandId: number, out: InvokeOutcome): void {
  assert.ok(out.kind === "response" || out.kind === "status");
  if (out.kind === "status") {
    assert.equal(out.error, undefined, `unexpected error: ${String(out.error)}`);
    assert.notEqual(out.status, ImStatus.FAILURE);
    // Every command but RecallScene answers with a response once its fields decode.
    if (commandId !== Cmd.RecallScene) assert.equal(out.status, ImStatus.INVALID_COMMAND);
  }
}

const scalar: fc.Arbitrary<TlvNode> = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((value): TlvNode => ({ tag: ANONYMOUS, type: "uint", value })),
  fc
    .bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n })
    .map((value): TlvNode => ({ tag: ANONYMOUS, type: "int", value })),
  fc.integer({ min: 0, max: 300 }).map((v): TlvNode => ({ tag: ANONYMOUS, type: "uint", value: BigInt(v) })),
  fc.string({ maxLength: 20 }).map((value): TlvNode => ({ tag: ANONYMOUS, type: "utf8", value })),
  fc.boolean().map((value): TlvNode => ({ tag: ANONYMOUS, type: "bool", value })),
  fc.constant<TlvNode>({ tag: ANONYMOUS, type: "null" }),
);

/** Structs with context tags 0..8 whose members are scalars, arrays of scalars or nested structs (depth-limited). */
const node: fc.Arbitrary<TlvNode> = fc.letrec<{ node: TlvNode; struct: TlvNode; array: TlvNode }>((tie) => ({
  node: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, tie("struct"), tie("array")),
  struct: fc
    .uniqueArray(fc.tuple(fc.integer({ min: 0, max: 8 }), tie("node")), { selector: ([t]) => t, maxLength: 6 })
    .map(
      (fields): TlvNode => ({
        tag: ANONYMOUS,
        type: "struct",
        elements: fields.sort(([a], [b]) => a - b).map(([t, n]) => ({ ...n, tag: ctx(t) }) as TlvNode),
      }),
    ),
  array: fc
    .array(tie("node"), { maxLength: 4 })
    .map((elements): TlvNode => ({ tag: ANONYMOUS, type: "array", elements })),
})).struct;

test("property: random bytes as CommandFields are malformed or answered, never a crash", async () => {
  const f = await setup();
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), fc.constantFrom(...COMMANDS), async (bytes, commandId) => {
      const fields = decodeFieldsOrMalformed(bytes);
      if (fields === undefined) return;
      checkOutcome(commandId, await f.invoke(commandId, fields));
    }),
    { numRuns: 300 },
  );
});

test("property: structured random CommandFields decode and answer, or are INVALID_COMMAND", async () => {
  const f = await setup();
  await fc.assert(
    fc.asyncProperty(node, fc.constantFrom(...COMMANDS), fc.integer({ min: 1, max: 3 }), async (fields, id, fi) => {
      checkOutcome(id, await f.invoke(id, fields, sess(fi)));
    }),
    { numRuns: 500 },
  );
});

test("property: mutated valid AddScene / RecallScene / CopyScene payloads never crash the cluster", async () => {
  const f = await setup();
  const bases: [number, Uint8Array][] = [
    [Cmd.AddScene, encodeTlv(enc.add({ groupId: 1, sceneId: 2, sceneName: "Scene", transitionTime: 1000 }))],
    [Cmd.RecallScene, encodeTlv(enc.recall(1, 2, 500))],
    [Cmd.CopyScene, encodeTlv(enc.copy(1, 1, 2, 2, 3))],
  ];
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...bases),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }),
      async ([id, base], flips) => {
        const m = base.slice();
        for (const [i, x] of flips) m[i % m.length]! ^= x;
        let fields: TlvNode;
        try {
          fields = decodeTlv(m);
        } catch (e) {
          assert.ok(e instanceof MalformedError, String(e));
          return;
        }
        checkOutcome(id, await f.invoke(id, fields));
      },
    ),
    { numRuns: 500 },
  );
  // The table stays within its limits whatever was accepted.
  for (const fi of f.server.table.fabricIndices()) assert.ok(f.server.table.sceneCount(fi) <= 7);
});

const groupId = fc.oneof(fc.constantFrom(0, 1, 2), fc.integer({ min: 0, max: 0xffff }));
const sceneId = fc.oneof(fc.integer({ min: 0, max: 8 }), fc.constantFrom(254, 255));
const transition = fc.oneof(fc.constantFrom(0, 60_000_000, 60_000_001), fc.integer({ min: 0, max: 0xffffffff }));
const pair = fc.record({
  attributeId: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffffffff })),
  valueUnsigned8: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
  valueUnsigned16: fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined }),
  valueSigned64: fc.option(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), { nil: undefined }),
});
const efs = fc.record({
  clusterId: fc.oneof(fc.constantFrom(6, 8), fc.integer({ min: 0, max: 0xffffffff })),
  attributeValueList: fc.array(pair, { maxLength: 17 }),
});
/** Schema-shaped requests with values across the whole base types, constraint violations included. */
const request = fc.oneof(
  fc
    .record({
      groupId,
      sceneId,
      transitionTime: transition,
      sceneName: fc.string({ maxLength: 20 }),
      extensionFieldSetStructs: fc.array(efs, { maxLength: 3 }),
    })
    .map((r) => [Cmd.AddScene, AddSceneRequest.encodeNode(r, ANONYMOUS)] as const),
  fc
    .tuple(fc.constantFrom(Cmd.ViewScene, Cmd.RemoveScene, Cmd.StoreScene), groupId, sceneId)
    .map(([id, g, s]) => [id, enc.scene(g, s)] as const),
  fc
    .tuple(fc.constantFrom(Cmd.RemoveAllScenes, Cmd.GetSceneMembership), groupId)
    .map(([id, g]) => [id, enc.group(g)] as const),
  fc
    .tuple(groupId, sceneId, fc.option(fc.option(transition, { nil: null }), { nil: undefined }))
    .map(([g, s, t]) => [Cmd.RecallScene, enc.recall(g, s, t)] as const),
  fc
    .tuple(fc.integer({ min: 0, max: 255 }), groupId, sceneId, groupId, sceneId)
    .map(([m, gf, sf, gt, st]) => [Cmd.CopyScene, enc.copy(m, gf, sf, gt, st)] as const),
);

const ALLOWED: ReadonlySet<number> = new Set([
  ImStatus.SUCCESS,
  ImStatus.FAILURE, // AddScene: a value field that does not match the attribute's type (SDK)
  ImStatus.INVALID_COMMAND,
  ImStatus.CONSTRAINT_ERROR,
  ImStatus.RESOURCE_EXHAUSTED,
  ImStatus.NOT_FOUND,
]);

test("property: schema-shaped requests always get a response or status from the spec's set; limits hold", async () => {
  const f = await setup();
  await fc.assert(
    fc.asyncProperty(request, fc.integer({ min: 1, max: 3 }), async ([id, fields], fi) => {
      const out = await f.invoke(id, fields, sess(fi));
      if (out.kind === "status") {
        assert.equal(out.error, undefined, `unexpected error: ${String(out.error)}`);
        assert.equal(id, Cmd.RecallScene);
        assert.ok(ALLOWED.has(out.status) && out.status !== ImStatus.FAILURE, `status ${out.status}`);
      } else {
        assert.equal(out.commandId, id);
        const status = out.fields.type === "struct" ? out.fields.elements[0] : undefined;
        assert.ok(status?.type === "uint" && ALLOWED.has(Number(status.value)), `status ${String(status)}`);
      }
      let total = 0;
      for (const x of f.server.table.fabricIndices()) {
        assert.ok(f.server.table.sceneCount(x) <= f.server.table.maxScenesPerFabric);
        total += f.server.table.sceneCount(x);
      }
      assert.ok(total <= f.server.table.sceneTableSize);
    }),
    { numRuns: 1000 },
  );
});
