import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import fc from "fast-check";
import { MalformedError } from "../../../src/bytes/errors.ts";
import {
  AdministratorCommissioningCluster,
  AdministratorCommissioningFeature,
  AdministratorCommissioningStatus,
  createAdministratorCommissioning,
  OpenBasicCommissioningWindowRequest,
  OpenCommissioningWindowRequest,
} from "../../../src/clusters/administrator-commissioning/administrator-commissioning.ts";
import {
  ArmFailSafeRequest,
  createGeneralCommissioning,
} from "../../../src/clusters/general-commissioning/general-commissioning.ts";
import { nodeCrypto } from "../../../src/crypto/node-crypto.ts";
import { Privilege } from "../../../src/fabric/access-control.ts";
import type { FabricIndex } from "../../../src/fabric/fabric-index.ts";
import { FabricTable } from "../../../src/fabric/fabric-table.ts";
import { FailSafeContext } from "../../../src/fabric/fail-safe-context.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import { readAttribute } from "../../../src/im/attribute-read.ts";
import {
  type AccessChecker,
  type AfterResponseEffect,
  ClusterInstance,
  type SessionInfo,
} from "../../../src/im/data-model.ts";
import { type InvokeOutcome, invokeCommand } from "../../../src/im/invoke.ts";
import { CommissioningWindowState, CommissioningWindowStatus } from "../../../src/sc/commissioning-window-state.ts";
import { computePaseVerifier, encodePaseVerifier, PBKDF_ITERATIONS_MIN } from "../../../src/sc/pase/pase-verifier.ts";
import { MemoryStorage } from "../../../src/storage/memory-storage.ts";
import { ANONYMOUS, type TlvNode } from "../../../src/tlv/tlv-node.ts";
import { tlvArray, tlvUInt32 } from "../../../src/tlv/tlv-schema.ts";
import { transactionFor } from "../../fabric/fixtures.ts";

const Attr = AdministratorCommissioningCluster.attributes;
const Cmd = AdministratorCommissioningCluster.commands;

const allow: AccessChecker = () => true;
const upTo =
  (max: Privilege): AccessChecker =>
  (_s, _t, p) =>
    p <= max;
const sess = (kind: "pase" | "case", fabricIndex: number, id = 1): SessionInfo => ({
  kind,
  fabricIndex,
  subjectNodeId: kind === "case" ? 0x55n : 0n,
  cats: [],
  attestationChallenge: new Uint8Array(16),
  id,
});

const SALT = new Uint8Array(16).fill(0x53);
const VERIFIER = encodePaseVerifier(computePaseVerifier(nodeCrypto, 20202021, { iterations: 1000, salt: SALT }));
const validRequest = {
  commissioningTimeout: 180,
  pakePasscodeVerifier: VERIFIER,
  discriminator: 3840,
  iterations: 1000,
  salt: SALT,
};
type OcwRequest = typeof validRequest;

/** The node's window state, its basic window on the onboarding passcode. */
const newWindow = () =>
  new CommissioningWindowState(() => ({
    verifier: computePaseVerifier(nodeCrypto, 20202021, { iterations: PBKDF_ITERATIONS_MIN, salt: SALT }),
    pbkdfParameters: { iterations: PBKDF_ITERATIONS_MIN, salt: SALT },
    discriminator: 3840,
  }));

/** What the controller found in the window state when asked to open it. */
type Opened = { kind: string | undefined; discriminator: number | undefined; closesAt: number | undefined };
const openedOf = (w: CommissioningWindowState): Opened => ({
  kind: w.kind,
  discriminator: w.discriminator,
  closesAt: w.closesAt,
});

/** A committed fabric, as AddNOC + CommissioningComplete leave it. */
async function addFabric(fabrics: FabricTable, vendorId: number): Promise<FabricIndex> {
  const rootPublicKey = nodeCrypto.generateKeyPair().publicKey.raw;
  const tx = transactionFor(fabrics);
  tx.addPendingRoot(new Uint8Array(randomBytes(200)), rootPublicKey);
  const key = tx.allocatePendingOperationalKey();
  const index = tx.addPendingFabric({
    noc: new Uint8Array(randomBytes(250)),
    icac: null,
    fabricId: BigInt(vendorId),
    nodeId: 0x1111n,
    cats: [],
    nocPublicKey: key.publicKey.raw,
    vendorId,
  });
  await tx.commit();
  return index;
}

async function setup() {
  const fabrics = await FabricTable.open(new MemoryStorage(), nodeCrypto);
  const failSafe = new FailSafeContext();
  const f1 = await addFabric(fabrics, 0xfff1);
  const f2 = await addFabric(fabrics, 0xfff2);
  const log: string[] = [];
  const opened: Opened[] = [];
  let failSafeEffects: readonly AfterResponseEffect[] = [];
  const window = newWindow();
  const cluster = createAdministratorCommissioning({
    window,
    fabrics,
    failSafe,
    controller: {
      openWindow: async () => {
        opened.push(openedOf(window));
        log.push("open");
      },
      closeWindow: async () => {
        log.push("close");
      },
      expireFailSafeIfHeldByPaseSession: async () => {
        log.push("expire-fail-safe");
        return failSafeEffects;
      },
    },
  });
  const inst = new ClusterInstance(0, cluster, 500);
  const read = (id: number, now = 0): TlvNode => {
    const out = readAttribute(inst, id, { session: sess("case", f1), now }, { fabricFiltered: true }, allow);
    assert.ok(out.kind === "data", `attribute ${id}`);
    return out.value;
  };
  const attrs = () => ({
    windowStatus: Number((read(Attr.WindowStatus) as { value: bigint }).value),
    adminFabricIndex: nodeValue(read(Attr.AdminFabricIndex)),
    adminVendorId: nodeValue(read(Attr.AdminVendorId)),
  });
  const ocw = (
    over: Partial<OcwRequest> = {},
    session = sess("case", f1),
    { timed = true, now = 0, access = allow } = {},
  ) =>
    invokeCommand(
      inst,
      Cmd.OpenCommissioningWindow,
      OpenCommissioningWindowRequest.encodeNode({ ...validRequest, ...over }, ANONYMOUS),
      { session, timed, now },
      access,
    );
  const revoke = (session = sess("case", f1), { timed = true, access = allow } = {}) =>
    invokeCommand(inst, Cmd.RevokeCommissioning, undefined, { session, timed, now: 0 }, access);
  return {
    fabrics,
    failSafe,
    f1,
    f2,
    window,
    inst,
    read,
    attrs,
    ocw,
    revoke,
    log,
    opened,
    setFailSafeEffects: (e: readonly AfterResponseEffect[]) => {
      failSafeEffects = e;
    },
  };
}

function nodeValue(n: TlvNode): number | null {
  if (n.type === "null") return null;
  assert.ok(n.type === "uint");
  return Number(n.value);
}

function clusterStatus(out: InvokeOutcome): number | undefined {
  assert.ok(out.kind === "status");
  assert.equal(out.status, ImStatus.FAILURE);
  return out.clusterStatus;
}

function imStatus(out: InvokeOutcome): number {
  assert.ok(out.kind === "status");
  return out.status;
}

test("globals: revision 1, feature map 0 (no Basic), OpenCommissioningWindow and RevokeCommissioning accepted", async () => {
  const { read } = await setup();
  assert.equal((read(0xfffd) as { value: bigint }).value, 1n);
  assert.equal((read(0xfffc) as { value: bigint }).value, 0n);
  assert.deepEqual(tlvArray(tlvUInt32).decodeNode(read(0xfff9), "a"), [0, 2]);
  assert.deepEqual(tlvArray(tlvUInt32).decodeNode(read(0xfff8), "g"), []);
  assert.deepEqual(
    tlvArray(tlvUInt32).decodeNode(read(0xfffb), "l"),
    [0, 1, 2, 0xfff8, 0xfff9, 0xfffb, 0xfffc, 0xfffd],
  );
});

test("initially WindowNotOpen with null AdminFabricIndex and AdminVendorId", async () => {
  const { attrs, window } = await setup();
  assert.deepEqual(attrs(), { windowStatus: 0, adminFabricIndex: null, adminVendorId: null });
  assert.equal(window.isOpen, false);
});

test("OpenCommissioningWindow opens an enhanced window: the state holds the decoded verifier, attributes name the admin", async () => {
  const { ocw, attrs, opened, f2, inst, window } = await setup();
  const changed: number[] = [];
  inst.onAttributeChange((c) => changed.push(c.attribute));
  const out = await ocw({ discriminator: 0xabc, commissioningTimeout: 900 }, sess("case", f2), { now: 5000 });
  assert.deepEqual(out, { kind: "status", status: ImStatus.SUCCESS, afterResponse: [] });
  assert.equal(opened.length, 1);
  assert.deepEqual(opened[0], { kind: "enhanced", discriminator: 0xabc, closesAt: 905_000 });
  assert.deepEqual(window.pase?.pbkdfParameters, { iterations: 1000, salt: SALT });
  assert.deepEqual(encodePaseVerifier(window.pase!.verifier), VERIFIER);
  assert.deepEqual(attrs(), {
    windowStatus: CommissioningWindowStatus.EnhancedWindowOpen,
    adminFabricIndex: f2,
    adminVendorId: 0xfff2,
  });
  assert.deepEqual(changed, [Attr.WindowStatus, Attr.AdminFabricIndex, Attr.AdminVendorId]);
  assert.equal(window.isOpen, true);
});

test("both commands need a Timed Invoke and Administer", async () => {
  const { ocw, revoke, opened, log } = await setup();
  assert.equal(imStatus(await ocw({}, undefined, { timed: false })), ImStatus.NEEDS_TIMED_INTERACTION);
  assert.equal(imStatus(await ocw({}, undefined, { access: upTo(Privilege.Manage) })), ImStatus.UNSUPPORTED_ACCESS);
  assert.equal(imStatus(await revoke(undefined, { timed: false })), ImStatus.NEEDS_TIMED_INTERACTION);
  assert.equal(imStatus(await revoke(undefined, { access: upTo(Privilege.Manage) })), ImStatus.UNSUPPORTED_ACCESS);
  assert.equal(opened.length, 0);
  assert.deepEqual(log, []);
});

test("a window already open → Busy (2), and the open window is unchanged", async () => {
  const { ocw, f2, attrs, opened } = await setup();
  await ocw();
  assert.equal(clusterStatus(await ocw({}, sess("case", f2))), AdministratorCommissioningStatus.Busy);
  assert.equal(opened.length, 1);
  assert.equal(attrs().adminVendorId, 0xfff1);
});

test("an armed fail-safe → Busy (2), also while its cleanup is running", async () => {
  const { ocw, failSafe, f1, opened } = await setup();
  failSafe.arm(0, 60, f1);
  assert.equal(clusterStatus(await ocw()), AdministratorCommissioningStatus.Busy);
  failSafe.expire();
  assert.equal(failSafe.busy, true);
  assert.equal(clusterStatus(await ocw()), AdministratorCommissioningStatus.Busy);
  failSafe.cleanupDone();
  assert.equal(imStatus(await ocw()), ImStatus.SUCCESS);
  assert.equal(opened.length, 1);
});

test("bad PAKE parameters → PAKEParameterError (3): iterations, salt length, verifier length and content", async () => {
  const { ocw, opened } = await setup();
  const badW0 = VERIFIER.slice();
  badW0.fill(0xff, 0, 32);
  const badL = VERIFIER.slice();
  badL[32] = 0x02;
  const cases: Partial<OcwRequest>[] = [
    { iterations: 999 },
    { iterations: 100_001 },
    { salt: new Uint8Array(15) },
    { salt: new Uint8Array(33) },
    { pakePasscodeVerifier: VERIFIER.subarray(0, 96) },
    { pakePasscodeVerifier: new Uint8Array([...VERIFIER, 0]) },
    { pakePasscodeVerifier: badW0 },
    { pakePasscodeVerifier: badL },
  ];
  for (const c of cases)
    assert.equal(clusterStatus(await ocw(c)), AdministratorCommissioningStatus.PAKEParameterError, JSON.stringify(c));
  // The limits themselves are accepted.
  assert.equal(imStatus(await ocw({ iterations: 100_000, salt: new Uint8Array(32).fill(1) })), ImStatus.SUCCESS);
  assert.equal(opened.length, 1);
});

test("over PASE (no accessing fabric) → PAKEParameterError, as the SDK answers a missing fabric", async () => {
  const { ocw, opened } = await setup();
  assert.equal(clusterStatus(await ocw({}, sess("pase", 0))), AdministratorCommissioningStatus.PAKEParameterError);
  assert.equal(opened.length, 0);
});

test("CommissioningTimeout outside 180..900 s or a discriminator above 4095 → INVALID_COMMAND", async () => {
  const { ocw, opened } = await setup();
  for (const c of [{ commissioningTimeout: 179 }, { commissioningTimeout: 901 }, { discriminator: 4096 }])
    assert.equal(imStatus(await ocw(c)), ImStatus.INVALID_COMMAND, JSON.stringify(c));
  // The SDK order: PAKE parameters are checked before the timeout.
  assert.equal(
    clusterStatus(await ocw({ commissioningTimeout: 10, salt: new Uint8Array(8) })),
    AdministratorCommissioningStatus.PAKEParameterError,
  );
  // The fail-safe / Busy checks come before the parameters.
  assert.equal(opened.length, 0);
});

test("missing or mistyped fields → INVALID_COMMAND", async () => {
  const { inst } = await setup();
  const ctx = { session: sess("case", 1), timed: true, now: 0 };
  const empty: TlvNode = { tag: ANONYMOUS, type: "struct", elements: [] };
  assert.equal(imStatus(await invokeCommand(inst, Cmd.OpenCommissioningWindow, empty, ctx, allow)), 0x85);
  assert.equal(imStatus(await invokeCommand(inst, Cmd.OpenCommissioningWindow, undefined, ctx, allow)), 0x85);
  // OpenBasicCommissioningWindow belongs to the Basic feature.
  assert.equal(
    imStatus(await invokeCommand(inst, Cmd.OpenBasicCommissioningWindow, empty, ctx, allow)),
    ImStatus.UNSUPPORTED_COMMAND,
  );
});

test("the window closes at CommissioningTimeout: WindowStatus reverts to WindowNotOpen and a new window can open", async () => {
  const { ocw, window, attrs } = await setup();
  await ocw({ commissioningTimeout: 180 }, undefined, { now: 1_000 });
  assert.equal(window.closesAt, 181_000);
  // The node's window timer closes the state at closesAt.
  window.close();
  assert.deepEqual(attrs(), { windowStatus: 0, adminFabricIndex: null, adminVendorId: null });
  assert.equal(imStatus(await ocw({}, undefined, { now: 200_000 })), ImStatus.SUCCESS);
});

test("RevokeCommissioning closes an open window; with no window → WindowNotOpen (4); the fail-safe hook runs first", async () => {
  const { ocw, revoke, attrs, log, setFailSafeEffects } = await setup();
  const effects: AfterResponseEffect[] = [{ type: "fail-safe-timer", at: null }];
  setFailSafeEffects(effects);
  const closed = await revoke();
  assert.equal(clusterStatus(closed), AdministratorCommissioningStatus.WindowNotOpen);
  // The fail-safe cleanup's effects still run after the failure response.
  assert.deepEqual(closed.afterResponse, effects);
  await ocw();
  const out = await revoke();
  assert.deepEqual(out, { kind: "status", status: ImStatus.SUCCESS, afterResponse: effects });
  assert.deepEqual(attrs(), { windowStatus: 0, adminFabricIndex: null, adminVendorId: null });
  assert.deepEqual(log, ["expire-fail-safe", "open", "expire-fail-safe", "close"]);
  // Idempotent in effect: a second revoke finds no window.
  assert.equal(clusterStatus(await revoke()), AdministratorCommissioningStatus.WindowNotOpen);
});

test("removing the opener's fabric clears AdminFabricIndex, keeps AdminVendorId (as the SDK); the window stays open", async () => {
  const { ocw, fabrics, f1, f2, attrs, window } = await setup();
  await ocw({}, sess("case", f2));
  await fabrics.remove(f1);
  assert.equal(attrs().adminFabricIndex, f2);
  const vendorId = attrs().adminVendorId;
  assert.notEqual(vendorId, null);
  await fabrics.remove(f2);
  assert.deepEqual(attrs(), {
    windowStatus: CommissioningWindowStatus.EnhancedWindowOpen,
    adminFabricIndex: null,
    adminVendorId: vendorId,
  });
  assert.equal(window.isOpen, true);
});

test("the node's own window is open but reported as WindowNotOpen; it blocks OCW and RevokeCommissioning closes it", async () => {
  const { window, attrs, ocw, revoke, log } = await setup();
  window.openBasic(900_000);
  assert.equal(window.isOpen, true);
  assert.deepEqual(attrs(), { windowStatus: 0, adminFabricIndex: null, adminVendorId: null });
  assert.equal(clusterStatus(await ocw()), AdministratorCommissioningStatus.Busy);
  assert.equal(imStatus(await revoke()), ImStatus.SUCCESS);
  assert.equal(window.isOpen, false);
  assert.deepEqual(log, ["expire-fail-safe", "close"]);
});

test("with General Commissioning: RevokeCommissioning expires a fail-safe armed over the window's PASE session", async () => {
  const fabrics = await FabricTable.open(new MemoryStorage(), nodeCrypto);
  const failSafe = new FailSafeContext();
  const f1 = await addFabric(fabrics, 0xfff1);
  // The node wires both clusters to one window state, built first: General Commissioning reads it for CASE
  // ArmFailSafe, and the fail-safe hook of RevokeCommissioning runs General Commissioning's expiry cleanup.
  const window = newWindow();
  const gc = createGeneralCommissioning({
    fabrics,
    failSafe,
    isCommissioningWindowOpen: () => window.isOpen,
  });
  const admin = createAdministratorCommissioning({
    window,
    fabrics,
    failSafe,
    controller: {
      openWindow: async () => {},
      closeWindow: async () => {},
      expireFailSafeIfHeldByPaseSession: async () =>
        failSafe.armed && failSafe.fabricIndex === 0 ? gc.failSafeTimerFired(Number.MAX_SAFE_INTEGER) : [],
    },
  });
  const gcInst = new ClusterInstance(0, gc.cluster, 0);
  const acInst = new ClusterInstance(0, admin, 0);
  const caseF1 = sess("case", f1, 1);
  const pase = sess("pase", 0, 2);
  const ocwFields = OpenCommissioningWindowRequest.encodeNode(validRequest, ANONYMOUS);
  assert.equal(imStatus(await invokeCommand(acInst, 0, ocwFields, { session: caseF1, timed: true, now: 0 }, allow)), 0);
  // A CASE ArmFailSafe while the window is open → BusyWithOtherAdmin (General Commissioning reads the window).
  const arm = (session: SessionInfo) =>
    invokeCommand(
      gcInst,
      0,
      ArmFailSafeRequest.encodeNode({ expiryLengthSeconds: 60, breadcrumb: 1n }, ANONYMOUS),
      {
        session,
        timed: false,
        now: 0,
      },
      allow,
    );
  const busy = await arm(caseF1);
  assert.ok(busy.kind === "response");
  assert.equal((busy.fields as { elements: { value: bigint }[] }).elements[0]!.value, 4n);
  // The new commissioner arms over PASE; the old admin revokes: fail-safe expired, window closed.
  await arm(pase);
  assert.equal(failSafe.armed, true);
  const out = await invokeCommand(acInst, 2, undefined, { session: caseF1, timed: true, now: 1 }, allow);
  assert.equal(imStatus(out), ImStatus.SUCCESS);
  assert.equal(failSafe.armed, false);
  assert.equal(window.isOpen, false);
  assert.deepEqual(out.afterResponse, [{ type: "fail-safe-timer", at: null }]);
  assert.equal(gc.breadcrumb, 0n);
});

test("robustness: random bytes as an OpenCommissioningWindow request decode or raise MalformedError only", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      try {
        OpenCommissioningWindowRequest.decode(bytes);
      } catch (e) {
        assert.ok(e instanceof MalformedError, String(e));
      }
    }),
    { numRuns: 500 },
  );
});

test("robustness: any well-typed OpenCommissioningWindow gets SUCCESS or a specified status, never FAILURE alone", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        commissioningTimeout: fc.integer({ min: 0, max: 0xffff }),
        pakePasscodeVerifier: fc.oneof(fc.constant(VERIFIER), fc.uint8Array({ maxLength: 100 })),
        discriminator: fc.integer({ min: 0, max: 0xffff }),
        iterations: fc.integer({ min: 0, max: 0xffffffff }),
        salt: fc.uint8Array({ maxLength: 40 }),
      }),
      async (req) => {
        const { ocw } = await setup();
        const out = await ocw(req);
        assert.ok(out.kind === "status");
        if (out.status === ImStatus.FAILURE)
          assert.ok([2, 3].includes(out.clusterStatus ?? -1), `cluster status ${out.clusterStatus}`);
        else assert.ok([ImStatus.SUCCESS, ImStatus.INVALID_COMMAND].includes(out.status as never));
      },
    ),
    { numRuns: 60 },
  );
});

/** The cluster with the Basic (BC) feature, over a recording controller. */
async function setupBasic(options: { failOpen?: boolean } = {}) {
  const fabrics = await FabricTable.open(new MemoryStorage(), nodeCrypto);
  const failSafe = new FailSafeContext();
  const f1 = await addFabric(fabrics, 0xfff1);
  const log: string[] = [];
  const opened: Opened[] = [];
  const window = newWindow();
  const cluster = createAdministratorCommissioning({
    window,
    fabrics,
    failSafe,
    basicCommissioning: true,
    controller: {
      openWindow: async () => {
        if (options.failOpen === true) throw new RangeError("cannot listen");
        opened.push(openedOf(window));
        log.push(`open-${window.kind}`);
      },
      closeWindow: async () => {
        log.push("close");
      },
      expireFailSafeIfHeldByPaseSession: async () => [],
    },
  });
  const inst = new ClusterInstance(0, cluster, 500);
  const read = (id: number): TlvNode => {
    const out = readAttribute(inst, id, { session: sess("case", f1), now: 0 }, { fabricFiltered: true }, allow);
    assert.ok(out.kind === "data", `attribute ${id}`);
    return out.value;
  };
  const attrs = () => ({
    windowStatus: Number((read(Attr.WindowStatus) as { value: bigint }).value),
    adminFabricIndex: nodeValue(read(Attr.AdminFabricIndex)),
    adminVendorId: nodeValue(read(Attr.AdminVendorId)),
  });
  const obcw = (commissioningTimeout = 180, session = sess("case", f1), { timed = true, now = 0 } = {}) =>
    invokeCommand(
      inst,
      Cmd.OpenBasicCommissioningWindow,
      OpenBasicCommissioningWindowRequest.encodeNode({ commissioningTimeout }, ANONYMOUS),
      { session, timed, now },
      allow,
    );
  const ocw = (session = sess("case", f1)) =>
    invokeCommand(
      inst,
      Cmd.OpenCommissioningWindow,
      OpenCommissioningWindowRequest.encodeNode(validRequest, ANONYMOUS),
      { session, timed: true, now: 0 },
      allow,
    );
  return { fabrics, failSafe, f1, window, read, attrs, obcw, ocw, log, opened };
}

test("Basic feature: feature map 1, OpenBasicCommissioningWindow accepted; it opens a basic window named after its opener", async () => {
  const { read, attrs, obcw, opened, window } = await setupBasic();
  assert.equal((read(0xfffc) as { value: bigint }).value, BigInt(AdministratorCommissioningFeature.Basic));
  assert.deepEqual(tlvArray(tlvUInt32).decodeNode(read(0xfff9), "a"), [0, 1, 2]);
  // Timed, like the other two commands.
  assert.equal(imStatus(await obcw(300, undefined, { timed: false })), ImStatus.NEEDS_TIMED_INTERACTION);
  assert.deepEqual(opened, []);
  assert.equal(imStatus(await obcw(300, undefined, { now: 5_000 })), ImStatus.SUCCESS);
  assert.deepEqual(opened, [{ kind: "basic", discriminator: 3840, closesAt: 305_000 }]);
  assert.deepEqual(attrs(), {
    windowStatus: CommissioningWindowStatus.BasicWindowOpen,
    adminFabricIndex: 1,
    adminVendorId: 0xfff1,
  });
  // Closing it (the node's timer) reverts the attributes like an enhanced window's.
  window.close();
  assert.deepEqual(attrs(), { windowStatus: 0, adminFabricIndex: null, adminVendorId: null });
});

test("without the Basic feature OpenBasicCommissioningWindow is UNSUPPORTED_COMMAND", async () => {
  const { inst } = await setup();
  const out = await invokeCommand(
    inst,
    Cmd.OpenBasicCommissioningWindow,
    OpenBasicCommissioningWindowRequest.encodeNode({ commissioningTimeout: 180 }, ANONYMOUS),
    { session: sess("case", 1), timed: true, now: 0 },
    allow,
  );
  assert.equal(imStatus(out), ImStatus.UNSUPPORTED_COMMAND);
});

test("OpenBasicCommissioningWindow status order (SDK): no fabric → PAKEParameterError, then window open or fail-safe armed → Busy, then timeout → INVALID_COMMAND", async () => {
  const { obcw, ocw, failSafe, log, attrs } = await setupBasic();
  const { Busy, PAKEParameterError } = AdministratorCommissioningStatus;
  // Over PASE: no accessing fabric, even with an invalid timeout.
  assert.equal(clusterStatus(await obcw(10, sess("pase", 0))), PAKEParameterError);
  // Timeout outside 180..900 s.
  assert.equal(imStatus(await obcw(179)), ImStatus.INVALID_COMMAND);
  assert.equal(imStatus(await obcw(901)), ImStatus.INVALID_COMMAND);
  // A fail-safe armed → Busy before the timeout is looked at.
  failSafe.arm(0, 60, 1);
  assert.equal(clusterStatus(await obcw(10)), Busy);
  failSafe.arm(0, 0, 1);
  failSafe.cleanupDone();
  // A window open (basic or enhanced) → Busy before the timeout; OpenCommissioningWindow is Busy too.
  assert.equal(imStatus(await obcw()), ImStatus.SUCCESS);
  assert.equal(clusterStatus(await obcw(10)), Busy);
  assert.equal(clusterStatus(await obcw()), Busy);
  assert.equal(clusterStatus(await ocw()), Busy);
  assert.equal(clusterStatus(await obcw(10, sess("pase", 0))), PAKEParameterError);
  assert.deepEqual(log, ["open-basic"]);
  assert.equal(attrs().windowStatus, CommissioningWindowStatus.BasicWindowOpen);
});

test("OpenCommissioningWindow while an Administrator's basic window is open → Busy; RevokeCommissioning closes it", async () => {
  const { obcw, ocw, window, log } = await setupBasic();
  assert.equal(imStatus(await obcw()), ImStatus.SUCCESS);
  assert.equal(clusterStatus(await ocw()), AdministratorCommissioningStatus.Busy);
  window.close();
  assert.equal(imStatus(await ocw()), ImStatus.SUCCESS);
  assert.equal(clusterStatus(await obcw()), AdministratorCommissioningStatus.Busy);
  assert.deepEqual(log, ["open-basic", "open-enhanced"]);
});

test("OpenBasicCommissioningWindow: a controller that cannot open → PAKEParameterError, no window", async () => {
  const { obcw, attrs, window } = await setupBasic({ failOpen: true });
  assert.equal(clusterStatus(await obcw()), AdministratorCommissioningStatus.PAKEParameterError);
  assert.equal(window.isOpen, false);
  assert.deepEqual(attrs(), { windowStatus: 0, adminFabricIndex: null, adminVendorId: null });
});

test("the node ending the window's commissioning (closing the window state) reports WindowStatus, AdminFabricIndex and AdminVendorId", async () => {
  const { ocw, inst, window, attrs } = await setup();
  await ocw();
  const changed: number[] = [];
  inst.onAttributeChange((c) => changed.push(c.attribute));
  window.close();
  assert.deepEqual(attrs(), { windowStatus: 0, adminFabricIndex: null, adminVendorId: null });
  assert.deepEqual(changed, [Attr.WindowStatus, Attr.AdminFabricIndex, Attr.AdminVendorId]);
  // Nothing left to report a second time.
  window.close();
  assert.equal(changed.length, 3);
});
