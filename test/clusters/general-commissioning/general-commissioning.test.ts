import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import {
  ArmFailSafeRequest,
  CommissioningError,
  CommissioningResponse,
  createGeneralCommissioning,
  GeneralCommissioningCluster,
  type GeneralCommissioningOptions,
  RegulatoryLocationType,
  SetRegulatoryConfigRequest,
} from "../../../src/clusters/general-commissioning/general-commissioning.ts";
import { nodeCrypto } from "../../../src/crypto/node-crypto.ts";
import { Privilege } from "../../../src/fabric/access-control.ts";
import { CommissioningTransaction } from "../../../src/fabric/commissioning-transaction.ts";
import { FabricTable } from "../../../src/fabric/fabric-table.ts";
import { FailSafeContext } from "../../../src/fabric/fail-safe-context.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import { readAttribute } from "../../../src/im/attribute-read.ts";
import { writeAttribute } from "../../../src/im/attribute-write.ts";
import { type AccessChecker, ClusterInstance, type SessionInfo } from "../../../src/im/data-model.ts";
import { type InvokeOutcome, invokeCommand } from "../../../src/im/invoke.ts";
import { MemoryStorage } from "../../../src/storage/memory-storage.ts";
import { ANONYMOUS, type TlvNode } from "../../../src/tlv/tlv-node.ts";
import { tlvArray, tlvUInt32, tlvUInt64 } from "../../../src/tlv/tlv-schema.ts";

const allow: AccessChecker = () => true;
const sess = (kind: "pase" | "case", fabricIndex: number, id = 1): SessionInfo => ({
  kind,
  fabricIndex,
  subjectNodeId: 0x55n,
  cats: [],
  attestationChallenge: new Uint8Array(16),
  id,
});

async function setup(over: Partial<GeneralCommissioningOptions> = {}) {
  const fabrics = await FabricTable.open(new MemoryStorage(), nodeCrypto);
  const failSafe = new FailSafeContext();
  const transaction = new CommissioningTransaction({ fabrics, failSafe });
  const server = createGeneralCommissioning({ fabrics, failSafe, transaction, ...over });
  const inst = new ClusterInstance(0, server.cluster, 1000);
  const invoke = (id: number, fields: TlvNode | undefined, session: SessionInfo, now = 0) =>
    invokeCommand(inst, id, fields, { session, timed: false, now }, allow);
  const arm = (seconds: number, session: SessionInfo, now = 0, breadcrumb = 7n) =>
    invoke(0, ArmFailSafeRequest.encodeNode({ expiryLengthSeconds: seconds, breadcrumb }, ANONYMOUS), session, now);
  return { fabrics, failSafe, transaction, server, inst, invoke, arm };
}

/** AddNOC as the Operational Credentials cluster would run it: pending root, CSR key, pending fabric, fail-safe record. */
function addPendingFabric(transaction: CommissioningTransaction, failSafe: FailSafeContext) {
  const rootPublicKey = nodeCrypto.generateKeyPair().publicKey.raw;
  transaction.addPendingRoot(new Uint8Array(randomBytes(200)), rootPublicKey);
  const key = transaction.allocatePendingOperationalKey();
  const index = transaction.addPendingFabric({
    noc: new Uint8Array(randomBytes(250)),
    icac: null,
    fabricId: 0x1234n,
    nodeId: 0x1111n,
    cats: [],
    nocPublicKey: key.publicKey.raw,
    vendorId: 0xfff1,
  });
  failSafe.recordAddNoc(index);
  return index;
}

function response(out: InvokeOutcome, commandId: number) {
  assert.equal(out.kind, "response", out.kind === "status" ? `status 0x${out.status.toString(16)}` : "");
  assert.ok(out.kind === "response");
  assert.equal(out.commandId, commandId);
  return CommissioningResponse.decodeNode(out.fields, "r");
}

test("global attributes: revision 2, feature map 0, accepted and generated commands", async () => {
  const { inst } = await setup();
  const read = (id: number) => {
    const out = readAttribute(inst, id, { session: sess("pase", 0), now: 0 }, { fabricFiltered: true }, allow);
    assert.ok(out.kind === "data");
    return out.value;
  };
  assert.equal((read(0xfffd) as { value: bigint }).value, 2n);
  assert.equal((read(0xfffc) as { value: bigint }).value, 0n);
  assert.deepEqual(tlvArray(tlvUInt32).decodeNode(read(0xfff9), "a"), [0, 2, 4]);
  assert.deepEqual(tlvArray(tlvUInt32).decodeNode(read(0xfff8), "g"), [1, 3, 5]);
  assert.deepEqual(
    tlvArray(tlvUInt32).decodeNode(read(0xfffb), "l"),
    [0, 1, 2, 3, 4, 0xfff8, 0xfff9, 0xfffb, 0xfffc, 0xfffd],
  );
  const info = read(GeneralCommissioningCluster.attributes.BasicCommissioningInfo);
  assert.deepEqual(
    (info as { elements: { value: bigint }[] }).elements.map((e) => e.value),
    [60n, 900n],
  );
});

test("ArmFailSafe over PASE arms, sets the breadcrumb and asks for the timer", async () => {
  const { arm, failSafe, server, inst } = await setup();
  const versions: number[] = [];
  inst.onAttributeChange((c) => versions.push(c.attribute));
  const out = await arm(60, sess("pase", 0), 1000, 42n);
  assert.deepEqual(response(out, 1), { errorCode: CommissioningError.OK, debugText: "" });
  assert.deepEqual(out.afterResponse, [{ type: "fail-safe-timer", at: 61_000 }]);
  assert.ok(failSafe.isArmedFor(0));
  assert.equal(server.breadcrumb, 42n);
  assert.deepEqual(versions, [GeneralCommissioningCluster.attributes.Breadcrumb]);
});

test("ArmFailSafe from another fabric while armed → BusyWithOtherAdmin; the fail-safe is unchanged", async () => {
  const { arm, failSafe } = await setup();
  await arm(60, sess("case", 1));
  const out = await arm(60, sess("case", 2));
  assert.equal(response(out, 1).errorCode, CommissioningError.BusyWithOtherAdmin);
  assert.ok(failSafe.isArmedFor(1));
});

test("ArmFailSafe over CASE while a commissioning window is open and not armed → BusyWithOtherAdmin", async () => {
  const { arm, failSafe } = await setup({ isCommissioningWindowOpen: () => true });
  assert.equal(response(await arm(60, sess("case", 1)), 1).errorCode, CommissioningError.BusyWithOtherAdmin);
  assert.equal(failSafe.armed, false);
  // Over PASE (the window's own commissioner) it arms.
  assert.equal(response(await arm(60, sess("pase", 0)), 1).errorCode, CommissioningError.OK);
});

test("CommissioningComplete over PASE before AddNOC → UNSUPPORTED_ACCESS (fabric-scoped; TC_CGEN_2_4)", async () => {
  const { invoke, arm } = await setup();
  await arm(60, sess("pase", 0));
  const out = await invoke(4, undefined, sess("pase", 0));
  assert.deepEqual(out, { kind: "status", status: ImStatus.UNSUPPORTED_ACCESS, afterResponse: [] });
});

test("CommissioningComplete without a fail-safe → NoFailSafe", async () => {
  const { invoke } = await setup();
  assert.equal(response(await invoke(4, undefined, sess("case", 1)), 5).errorCode, CommissioningError.NoFailSafe);
});

test("AddNOC flow: over PASE → InvalidAuthentication; over CASE of the new fabric → OK, committed, disarmed", async () => {
  const { invoke, arm, fabrics, failSafe, server, transaction } = await setup();
  await arm(60, sess("pase", 0), 0, 9n);
  const index = addPendingFabric(transaction, failSafe);
  // The PASE session adopted the new index, but CommissioningComplete needs CASE (TC_CGEN_2_4).
  assert.equal(
    response(await invoke(4, undefined, sess("pase", index)), 5).errorCode,
    CommissioningError.InvalidAuthentication,
  );
  // A CASE session of another fabric does not match either.
  assert.equal(
    response(await invoke(4, undefined, sess("case", index + 1)), 5).errorCode,
    CommissioningError.InvalidAuthentication,
  );
  assert.equal(fabrics.committedFabric(index), undefined);
  const out = await invoke(4, undefined, sess("case", index));
  assert.deepEqual(response(out, 5), { errorCode: CommissioningError.OK, debugText: "" });
  assert.deepEqual(out.afterResponse, [
    { type: "fail-safe-timer", at: null },
    { type: "close-commissioning-window" },
    { type: "expire-pase-sessions" },
  ]);
  assert.notEqual(fabrics.committedFabric(index), undefined);
  assert.equal(failSafe.armed, false);
  assert.equal(server.breadcrumb, 0n);
});

test("ArmFailSafe(0) after AddNOC runs the full revert: fabric deleted, sessions expired after the response", async () => {
  const removed: number[] = [];
  const { arm, fabrics, failSafe, server, transaction } = await setup({
    removeFabric: async (i) => {
      removed.push(i);
    },
  });
  await arm(60, sess("pase", 0), 0, 5n);
  const index = addPendingFabric(transaction, failSafe);
  assert.equal(fabrics.fabricCount(), 1);
  const out = await arm(0, sess("pase", index));
  assert.equal(response(out, 1).errorCode, CommissioningError.OK);
  assert.deepEqual(out.afterResponse, [
    { type: "expire-fabric-sessions", fabricIndex: index },
    { type: "fail-safe-timer", at: null },
  ]);
  assert.equal(fabrics.fabricCount(), 0);
  assert.deepEqual(fabrics.trustedRoots(), []);
  assert.deepEqual(removed, [index]);
  assert.equal(failSafe.armed, false);
  assert.equal(failSafe.busy, false);
  assert.equal(server.breadcrumb, 0n);
});

test("UpdateNOC then CommissioningComplete asks to restart operational advertising", async () => {
  const { arm, invoke, failSafe, transaction } = await setup();
  await arm(60, sess("pase", 0));
  const index = addPendingFabric(transaction, failSafe);
  await invoke(4, undefined, sess("case", index));
  await arm(60, sess("case", index));
  failSafe.recordUpdateNoc();
  const out = await invoke(4, undefined, sess("case", index));
  assert.equal(response(out, 5).errorCode, CommissioningError.OK);
  assert.ok(out.afterResponse.some((e) => e.type === "restart-operational-advertising"));
});

test("the node's timer: nothing before the deadline, the cleanup after it", async () => {
  const { arm, server, failSafe, fabrics, transaction } = await setup();
  await arm(10, sess("pase", 0), 0);
  addPendingFabric(transaction, failSafe);
  assert.deepEqual(await server.failSafeTimerFired(9_999), []);
  const effects = await server.failSafeTimerFired(10_000);
  assert.equal(effects.at(-1)?.type, "fail-safe-timer");
  assert.equal(fabrics.fabricCount(), 0);
  assert.equal(failSafe.armed, false);
});

test("Breadcrumb is writable with Administer only", async () => {
  const { inst, server } = await setup();
  const v = tlvUInt64.encodeNode(77n, ANONYMOUS);
  const wctx = { session: sess("case", 1), timed: false, now: 0 };
  const manage: AccessChecker = (_s, _t, p) => p <= Privilege.Manage;
  assert.equal((await writeAttribute(inst, 0, v, wctx, manage)).status, ImStatus.UNSUPPORTED_ACCESS);
  assert.equal((await writeAttribute(inst, 0, v, wctx, allow)).status, ImStatus.SUCCESS);
  assert.equal(server.breadcrumb, 77n);
  assert.equal((await writeAttribute(inst, 1, v, wctx, allow)).status, ImStatus.UNSUPPORTED_WRITE);
});

test("SetRegulatoryConfig: OK, bad country code → CONSTRAINT_ERROR, unsupported location → ValueOutsideRange", async () => {
  const { invoke, server, inst } = await setup({ locationCapability: RegulatoryLocationType.Indoor });
  const req = (newRegulatoryConfig: number, countryCode: string) =>
    SetRegulatoryConfigRequest.encodeNode({ newRegulatoryConfig, countryCode, breadcrumb: 3n }, ANONYMOUS);
  assert.deepEqual(response(await invoke(2, req(0, "CH"), sess("pase", 0)), 3), { errorCode: 0, debugText: "" });
  assert.equal(server.breadcrumb, 3n);
  assert.deepEqual(await invoke(2, req(0, "CHE"), sess("pase", 0)), {
    kind: "status",
    status: ImStatus.CONSTRAINT_ERROR,
    afterResponse: [],
  });
  assert.equal(
    response(await invoke(2, req(1, "CH"), sess("pase", 0)), 3).errorCode,
    CommissioningError.ValueOutsideRange,
  );
  const rc = readAttribute(inst, 2, { session: sess("pase", 0), now: 0 }, { fabricFiltered: true }, allow);
  assert.ok(rc.kind === "data" && (rc.value as { value: bigint }).value === 0n);
});
