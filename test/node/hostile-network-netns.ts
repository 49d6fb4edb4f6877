// Runs inside `unshare -n` (spawned by hostile-network.test.ts), issue 11 items 1 and 2 over real UDP on loopback: a
// DeviceNode (SupportedFabrics 5: 17 sessions) without mDNS; 100 strangers send PBKDFParamRequests during the
// commissioner's PASE (which must complete); then fabric A and fabric B are commissioned, fabric B holds a CASE session
// with a subscription on it (made in process on the node's InteractionServer, bound to that session), and fabric A
// opens 40 CASE sessions; then 1,500 wildcard subscriptions on fabric A's session (in process, priming left
// unacknowledged) and the heap growth they cost. Prints one JSON line of observations; exits non-zero on failure.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import {
  AdministratorCommissioningCluster,
  OpenCommissioningWindowRequest,
} from "../../src/clusters/administrator-commissioning/administrator-commissioning.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { ImMessageType } from "../../src/im/messages/im-message-type.ts";
import { StatusResponseMessage } from "../../src/im/messages/status-response-message.ts";
import { SubscribeRequestMessage } from "../../src/im/messages/subscribe-request-message.ts";
import { DeviceNode } from "../../src/node/device-node.ts";
import { computePaseVerifier, encodePaseVerifier } from "../../src/sc/pase/pase-verifier.ts";
import { NodeController, statusOf, testFabric } from "../support/node-controller.ts";

execFileSync("ip", ["link", "set", "lo", "up"]);

const WAIT_MS = 20_000;
const crypto = nodeCrypto;
const controller = await NodeController.open({ waitMs: WAIT_MS });
const strangers = await NodeController.open({ waitMs: 10_000 });
const fabricA = testFabric(0xfab0_0000_0000_00a1n, 0x0000_0000_0001_b669n);
const fabricB = testFabric(0xfab0_0000_0000_00b2n, 0x0000_0000_0002_c77an, { fabricIndex: 2 });
const DEVICE_NODE_A = 0x0000_0000_0000_0001n;
const DEVICE_NODE_B = 0x0000_0000_0000_0002n;
const BASIC_INFORMATION = 0x0028;

const root = mkdtempSync(join(tmpdir(), "opcreds-hostile-"));
const log: string[] = [];
const node = await DeviceNode.start({
  dataDir: join(root, "data"),
  port: 0,
  mdns: false,
  supportedFabrics: 5,
  logger: (level, message) => log.push(`${level}: ${message}`),
});

const o: Record<string, unknown> = {};
try {
  const peer = { address: "127.0.0.1", port: node.port };

  // ---- item 1: 100 strangers during the commissioner's PASE --------------------------------------------------------
  // The commissioner's PBKDFParamRequest goes out first; the strangers' go out in the same turn, so all of them are
  // queued at the device before the commissioner can send Pake1: they arrive while its handshake is live.
  const commissioner = controller.pase(peer, 20202021).then(
    (s) => ({ ok: true as const, s }),
    (e: unknown) => ({ ok: false as const, e: String(e) }),
  );
  const outcomes = Array.from({ length: 100 }, () =>
    strangers.pase(peer, 11112222).then(
      () => "established",
      (e: unknown) => ((e as { code?: string }).code ?? String(e)).toString(),
    ),
  );
  const c = await commissioner;
  const strangerOutcomes: Record<string, number> = {};
  for (const r of await Promise.all(outcomes)) strangerOutcomes[r] = (strangerOutcomes[r] ?? 0) + 1;
  o.commissionerPase = c.ok ? "established" : c.e;
  o.strangerOutcomes = strangerOutcomes;
  o.windowListeningAfterPase = node.commissioningWindowListening;
  if (!c.ok) throw new RangeError(`commissioner PASE failed: ${c.e}`);

  // ---- fabric A over that PASE session, fabric B over an enhanced window -------------------------------------------
  const paseA = c.s;
  const addA = await controller.addNocOverPase(paseA, fabricA, DEVICE_NODE_A);
  const caseA = await controller.case(peer, fabricA, DEVICE_NODE_A);
  o.completeA = await controller.commissioningComplete(caseA);
  o.addA = addA.addNoc;
  const PASSCODE_B = 34567890;
  const pbkdf = { iterations: 1000, salt: crypto.randomBytes(24) };
  o.ocw = statusOf(
    await controller.invoke(
      caseA,
      AdministratorCommissioningCluster.id,
      AdministratorCommissioningCluster.commands.OpenCommissioningWindow,
      (t) =>
        OpenCommissioningWindowRequest.encodeNode(
          {
            commissioningTimeout: 180,
            pakePasscodeVerifier: encodePaseVerifier(computePaseVerifier(crypto, PASSCODE_B, pbkdf)),
            discriminator: 0x0abc,
            iterations: pbkdf.iterations,
            salt: pbkdf.salt,
          },
          t,
        ),
      { timed: true },
    ),
  );
  const paseB = await controller.pase(peer, PASSCODE_B);
  o.addB = (await controller.addNocOverPase(paseB, fabricB, DEVICE_NODE_B)).addNoc;
  const caseB = await controller.case(peer, fabricB, DEVICE_NODE_B);
  o.completeB = await controller.commissioningComplete(caseB);

  // ---- item 2: fabric B's subscription on its CASE session (the node's local id is the controller's peer id; times
  // are the node's clock, performance.now()) ------------------------------------------------------------------------
  const server = node.interactionServer;
  const ex = server.openExchange({
    kind: "case",
    fabricIndex: 2,
    subjectNodeId: fabricB.adminNodeId,
    cats: [],
    attestationChallenge: new Uint8Array(16),
    id: caseB.peerSessionId,
  });
  const primed = await ex.onMessage(
    ImMessageType.SubscribeRequest,
    SubscribeRequestMessage.encode({
      keepSubscriptions: true,
      minIntervalFloor: 0,
      maxIntervalCeiling: 60,
      attributeRequests: [{ endpoint: 0, cluster: BASIC_INFORMATION }],
      isFabricFiltered: true,
    }),
    performance.now(),
  );
  let st = primed;
  for (let i = 0; !st.done && i < 50; i++) {
    st = await ex.onMessage(
      ImMessageType.StatusResponse,
      StatusResponseMessage.encode({ status: 0 }),
      performance.now(),
    );
  }
  const subscriptionsOfB = () =>
    server.subscriptions.filter((s) => s.session.fabricIndex === 2 && s.state === "active").length;
  o.subscriptionsOfBBefore = subscriptionsOfB();
  o.sessionsBefore = node.sessionCount;

  // Fabric A opens 40 CASE sessions (no resumption: each is a full Sigma1..Sigma3).
  let opened = 0;
  for (let i = 0; i < 40; i++) {
    await controller.case(peer, fabricA, DEVICE_NODE_A, { resume: false });
    opened++;
  }
  o.openedByA = opened;
  o.sessionsAfter = node.sessionCount;
  o.subscriptionsOfBAfter = subscriptionsOfB();
  // B's CASE session still carries traffic: a read over it is answered.
  const reports = await controller.read(caseB, [{ endpoint: 0, cluster: BASIC_INFORMATION, attribute: 0 }]);
  o.readOverB = reports.some((r) => r.attributeData !== undefined);

  // ---- item 3: 1,500 wildcard subscriptions on fabric A's session, their priming never acknowledged (the exchanges
  // kept, as the node's driver keeps a live exchange); the heap stays bounded by the pool ---------------------------
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const held: unknown[] = [];
  const refusals: Record<string, number> = {};
  const sessionA = {
    kind: "case" as const,
    fabricIndex: 1,
    subjectNodeId: fabricA.adminNodeId,
    cats: [],
    attestationChallenge: new Uint8Array(16),
    id: caseA.peerSessionId,
  };
  const wildcard = SubscribeRequestMessage.encode({
    keepSubscriptions: true,
    minIntervalFloor: 0,
    maxIntervalCeiling: 60,
    attributeRequests: [{}],
    isFabricFiltered: false,
  });
  let primingBytes = 0;
  for (let i = 0; i < 1500; i++) {
    const sx = server.openExchange(sessionA);
    const step = await sx.onMessage(ImMessageType.SubscribeRequest, wildcard, performance.now());
    if (step.done) {
      const status = StatusResponseMessage.decode(step.send[0]!.payload).status;
      refusals[status] = (refusals[status] ?? 0) + 1;
    } else {
      held.push(sx);
      if (primingBytes === 0) primingBytes = step.send.reduce((n, m) => n + m.payload.length, 0);
    }
  }
  gc();
  o.wildcardAccepted = held.length;
  o.wildcardRefusals = refusals;
  o.firstPrimingChunkBytes = primingBytes;
  o.heapGrowthBytes = process.memoryUsage().heapUsed - heapBefore;
  o.subscriptionsTotal = server.subscriptions.length;
  o.maxSubscriptions = server.maxSubscriptions;
  o.subscriptionsOfBAfterFlood = subscriptionsOfB();
} catch (e) {
  o.error = String(e instanceof Error ? (e.stack ?? e.message) : e);
  o.log = log.slice(-30);
} finally {
  await controller.close();
  await strangers.close();
  await node.stop();
  rmSync(root, { recursive: true, force: true });
}
console.log(JSON.stringify(o));
