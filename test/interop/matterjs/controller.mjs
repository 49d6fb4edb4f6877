// matter.js CommissioningController (legacy API from @project-chip/matter.js 0.17.x, which runs on the
// @matter/* 0.17 stack) used as an independent peer: commissions a device at a KNOWN address, reads the
// Node Operational Credentials cluster, calls UpdateFabricLabel, and reconnects over CASE.
// Our own test script; uses the published npm packages only.
//
// Environment variables:
//   CTRL_MODE            commission (default) | reconnect (only reconnect to already commissioned node(s))
//   CTRL_TARGET_IP       127.0.0.1          address of the device for PASE (and, by default, for CASE)
//   CTRL_TARGET_PORT     5540
//   CTRL_PASSCODE        20202021
//   CTRL_DISCRIMINATOR   3840
//   CTRL_OPERATIONAL     known (default) | mdns
//        known: the CASE address after AddNOC is seeded from CTRL_OPER_IP/CTRL_OPER_PORT (default = target),
//               so no operational mDNS discovery is needed
//        mdns : stock matter.js behaviour, operational discovery of _matter._tcp via mDNS
//   CTRL_OPER_IP / CTRL_OPER_PORT   operational address override for "known"
//   CTRL_ATTESTATION     lenient (default) | strict
//        lenient: stock behaviour: no PAA trust store, findings are logged and accepted
//        strict : registers an offline DclCertificateService seeded with the CHIP "Matter Test PAA" (no VID)
//                 and the Matter test CD signer; any error-level finding rejects commissioning
//   CTRL_SKIP_TEST_PAA   1 = strict mode without the CHIP test PAA (negative test: commissioning must fail)
//   CTRL_PAA_DER_HEX     optional extra PAA (DER hex) to trust in strict mode (e.g. our own test PAA)
//   CTRL_OPEN_WINDOW     basic | enhanced: at the end open a commissioning window for a second admin
//   CTRL_REMOVE          1: at the end remove the node (invokes RemoveFabric for our fabric)
//   CTRL_PAIRING_CODE    manual pairing code (11 digits) to take the passcode from (e.g. from an enhanced window)
//   CTRL_MINIMAL         1: no PairedNode (no post-commissioning wildcard Read/Subscribe); reads and invokes go
//                        through plain ClusterClients - for a device that does not serve wildcard reads yet
//   CTRL_ONOFF_ENDPOINT  endpoint with an OnOff server to toggle after reconnecting (default 1; "none" to skip)
//   CTRL_DISCOVER        1: no known address; find the device by long discriminator via mDNS (_matterc._udp)
//   CTRL_SUBSCRIBE_ONOFF_ENDPOINT  N: subscribe to OnOff on endpoint N (whose application flips it) until reports
//                        carried both values (RESULT subscribed-onoff)
//   CTRL_LIGHT_CHECKS    1: on endpoint 1, exercise On/Off's Lighting feature and Scenes Management (global scene
//                        and a scene of group 0) and report what came back (RESULT light)
//   CTRL_STORAGE         /tmp/peer-matterjs/state/controller
//   CTRL_FABRIC_LABEL    peer-matterjs
//   MATTER_LOG_LEVEL     info | debug
// Exit code 0 on success. Prints "RESULT {json}" lines.
import { Bytes, Environment, Logger, Seconds } from "@matter/main";
import { GeneralCommissioning, OnOff, OperationalCredentials, ScenesManagement } from "@matter/main/clusters";
import {
  CertificationDeclaration,
  ControllerCommissioningFlow,
  DclCertificateService,
  PeerSet,
  SessionManager,
  TestCert_PAA_NoVID_Cert,
} from "@matter/main/protocol";
import { EndpointNumber, ManualPairingCodeCodec } from "@matter/main/types";
import { CommissioningController } from "@project-chip/matter.js";
import { ClusterClient } from "@project-chip/matter.js/cluster";

const mode = process.env.CTRL_MODE ?? "commission";
const targetIp = process.env.CTRL_TARGET_IP ?? "127.0.0.1";
const targetPort = Number(process.env.CTRL_TARGET_PORT ?? 5540);
let passcode = Number(process.env.CTRL_PASSCODE ?? 20202021);
const discriminator = Number(process.env.CTRL_DISCRIMINATOR ?? 3840);
if (process.env.CTRL_PAIRING_CODE) passcode = ManualPairingCodeCodec.decode(process.env.CTRL_PAIRING_CODE).passcode;
const operationalMode = process.env.CTRL_OPERATIONAL ?? "known";
const operIp = process.env.CTRL_OPER_IP ?? targetIp;
const operPort = Number(process.env.CTRL_OPER_PORT ?? targetPort);
const attestationMode = process.env.CTRL_ATTESTATION ?? "lenient";
const storage = process.env.CTRL_STORAGE ?? "/tmp/peer-matterjs/state/controller";
const fabricLabel = process.env.CTRL_FABRIC_LABEL ?? "peer-matterjs";
const minimal = process.env.CTRL_MINIMAL === "1";
const onOffEndpoint = process.env.CTRL_ONOFF_ENDPOINT ?? "1";

const logger = Logger.get("peer-controller");
const environment = Environment.default;
environment.vars.set("storage.path", storage);

async function waitFor(cond, ms, what) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timeout waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const result = (what, data) => console.log(`RESULT ${what} ${JSON.stringify(data, jsonReplacer)}`);
function jsonReplacer(_key, value) {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return Bytes.toHex(value);
  if (value && value.type === "Buffer" && Array.isArray(value.data)) return Buffer.from(value.data).toString("hex");
  return value;
}

// ---- Optional strict attestation: offline trust store ---------------------------------------------------------
let dcl;
let onAttestationFailure; // undefined = matter.js default (accept everything with a warning)
if (attestationMode === "strict") {
  dcl = new DclCertificateService(environment, {
    // Point all remote sources at a closed loopback port so nothing leaves the host; fetch failures are logged
    // and ignored by matter.js.
    dclConfig: { url: "http://127.0.0.1:9" },
    testDclConfig: { url: "http://127.0.0.1:9" },
    fetchTestCertificates: false, // also disables the GitHub fetch of CHIP development PAAs
    acceptTestCertificates: true, // trust test PAAs that we add below
    updateInterval: null,
    timeout: Seconds(1),
  });
  await dcl.construction;
  if (!process.env.CTRL_SKIP_TEST_PAA) {
    await dcl.addCertificate(TestCert_PAA_NoVID_Cert, "PAA", { isProduction: false });
  }
  await dcl.addCertificate(CertificationDeclaration.testSignerCertificate(), "CDSigner", { isProduction: false });
  if (process.env.CTRL_PAA_DER_HEX) {
    await dcl.addCertificate(Bytes.fromHex(process.env.CTRL_PAA_DER_HEX), "PAA", { isProduction: false });
  }
  onAttestationFailure = (findings) => {
    for (const f of findings) result("attestation-finding", f);
    const fatal = findings.filter((f) => f.level === "error");
    return fatal.length === 0 ? true : `rejected: ${fatal.map((f) => f.type).join(",")}`;
  };
  // NOTE: CommissioningController.commissionNode() does not forward onAttestationFailure; the new API
  // (ClientNode.commission / node.peers.commission) does. We inject it via the flow subclass below instead.
}

const controller = new CommissioningController({
  environment: { environment, id: "controller" },
  autoConnect: false,
  adminFabricLabel: fabricLabel,
});

// ---- Commissioning flow subclass --------------------------------------------------------------------------------
// 1. logs every step (so the sequence is visible at info level)
// 2. in "known" mode seeds the operational address of the new peer before step 18 (CASE), so the controller's
//    PeerConnection uses it as its "fallback" address and does not depend on mDNS operational discovery.
// 3. in strict mode installs the attestation policy.
class PeerTestFlow extends ControllerCommissioningFlow {
  constructor(interaction, ca, fabric, options, transitionToCase) {
    const opts = onAttestationFailure
      ? { ...options, attestation: { ...options.attestation, onFailure: onAttestationFailure } }
      : options;
    super(interaction, ca, fabric, opts, async (address, concurrent) => {
      if (operationalMode === "known") {
        const peer = controller.node.env.get(PeerSet).for(address);
        peer.descriptor.operationalAddress = { type: "udp", ip: operIp, port: operPort };
        logger.info(`Seeded operational address ${operIp}:${operPort} for ${address}`);
      }
      return transitionToCase(address, concurrent);
    });
  }
}

const t0 = Date.now();
await controller.start();
result("controller-started", { ms: Date.now() - t0, storage });

let nodeId;
if (mode === "commission") {
  if (controller.isCommissioned()) {
    throw new Error(`controller storage ${storage} already has commissioned nodes; use CTRL_MODE=reconnect or wipe it`);
  }
  const t1 = Date.now();
  const hrStart = process.hrtime.bigint(); // CLOCK_MONOTONIC: comparable with bench/udp-relay.mjs's timestamps
  try {
    nodeId = await controller.commissionNode(
      {
        commissioning: {
          regulatoryLocation: GeneralCommissioning.RegulatoryLocationType.IndoorOutdoor,
          regulatoryCountryCode: "XX",
        },
        discovery: {
          // PASE goes straight to this address; no commissionable (_matterc._udp) discovery is done
          ...(process.env.CTRL_DISCOVER === "1"
            ? {} // commissionable discovery (_matterc._udp, by long discriminator) via mDNS
            : { knownAddress: { ip: targetIp, port: targetPort, type: "udp" } }),
          identifierData: { longDiscriminator: discriminator },
          timeout: Seconds(30),
        },
        passcode,
      },
      // connectNodeAfterCommissioning=true (default) creates a PairedNode, which does a wildcard Read of all
      // attributes+events and then a wildcard Subscribe before commissionNode() returns.
      { commissioningFlowImpl: PeerTestFlow, connectNodeAfterCommissioning: !minimal },
    );
  } catch (error) {
    result("commission-failed", { ms: Date.now() - t1, error: String(error), cause: String(error?.cause ?? "") });
    await controller.close();
    await dcl?.close();
    process.exit(2);
  }
  result("commissioned", { nodeId, ms: Date.now() - t1, hrStart, hrEnd: process.hrtime.bigint() });
} else {
  nodeId = controller.getCommissionedNodes()[0];
  if (nodeId === undefined) throw new Error("no commissioned node in controller storage");
}

// ---- Cluster clients: via PairedNode (default) or plain InteractionClient (minimal) ------------------------------
let node;
async function clusterClient(cluster, endpoint) {
  if (minimal) {
    return ClusterClient(cluster, EndpointNumber(endpoint), await controller.createInteractionClient(nodeId));
  }
  if (node === undefined) {
    node = await controller.getNode(nodeId);
    if (!node.initialized) {
      // reconnect mode: the node structure comes from a fresh read over CASE
      node.connect({ autoSubscribe: false });
      await waitFor(() => node.initialized, 60_000, "node initialization");
    }
  }
  return endpoint === 0
    ? node.getRootClusterClient(cluster)
    : node.getClusterClientForDevice(EndpointNumber(endpoint), cluster);
}

/** Close every session to the peer (CloseSession is sent); the next interaction has to open a new CASE session. */
async function dropSessions() {
  const address = controller.fabric.addressOf(nodeId);
  await controller.node.env.get(PeerSet).get(address)?.disconnect();
  for (const session of [...controller.node.env.get(SessionManager).sessionsFor(address)]) {
    await session.initiateClose();
  }
}

// ---- Connect (CASE) and read the Operational Credentials cluster ------------------------------------------------
const t2 = Date.now();
const oc = await clusterClient(OperationalCredentials, 0);
if (oc === undefined) throw new Error("OperationalCredentials client missing on root endpoint");
result("connected", { nodeId, ms: Date.now() - t2, minimal });
if (!minimal) {
  // What the wildcard read found on endpoint 1 (cluster ids, and the feature maps matter.js decoded).
  const clients = node.getDeviceById(1)?.getAllClusterClients() ?? [];
  result("endpoint1", {
    clusters: clients.map((c) => c.id).sort((a, b) => a - b),
    features: Object.fromEntries(clients.map((c) => [c.id, c.supportedFeatures])),
  });
}

async function readOpCreds(tag) {
  const read = {
    supportedFabrics: await oc.getSupportedFabricsAttribute(true),
    commissionedFabrics: await oc.getCommissionedFabricsAttribute(true),
    currentFabricIndex: await oc.getCurrentFabricIndexAttribute(true),
    fabricsFiltered: await oc.getFabricsAttribute(true, true),
    fabricsUnfiltered: await oc.getFabricsAttribute(true, false),
    nocs: await oc.getNocsAttribute(true, true),
    trustedRootCertificates: await oc.getTrustedRootCertificatesAttribute(true),
  };
  result(`opcreds-${tag}`, read);
  return read;
}

const before = await readOpCreds("before");
const newLabel = `${fabricLabel}-x`.slice(0, 32);
const labelResp = await oc.commands.updateFabricLabel({ label: newLabel });
result("updateFabricLabel", labelResp);
const after = await readOpCreds("after");
const labelOk = after.fabricsFiltered.some((f) => f.label === newLabel);

// Set it back so a later run's label validation does not fight with us
await oc.commands.updateFabricLabel({ label: fabricLabel });

// ---- Reconnect: drop all sessions and establish a fresh CASE session (matter.js tries CASE resumption first) -----
const t3 = Date.now();
await dropSessions();
let onOffValue = "skipped";
if (onOffEndpoint !== "none") {
  try {
    const onoff = await clusterClient(OnOff, Number(onOffEndpoint));
    await onoff.commands.toggle();
    onOffValue = await onoff.getOnOffAttribute(true);
  } catch (error) {
    onOffValue = `error: ${error}`;
  }
}
const cfi = await (await clusterClient(OperationalCredentials, 0)).getCurrentFabricIndexAttribute(true);
result("reconnected", { ms: Date.now() - t3, currentFabricIndex: cfi, onOff: onOffValue });

// ---- Optional: the light's Lighting feature and scenes, as a controller app would use them ------------------------
if (process.env.CTRL_LIGHT_CHECKS === "1") {
  const light = await clusterClient(OnOff, 1);
  const scenes = await clusterClient(ScenesManagement, 1);
  await light.commands.on();
  await light.setStartUpOnOffAttribute(OnOff.StartUpOnOff.On);
  const startUpOnOff = await light.getStartUpOnOffAttribute(true);
  // OffWithEffect stores the global scene (GlobalSceneControl was true), OnWithRecallGlobalScene recalls it.
  await light.commands.offWithEffect({
    effectIdentifier: OnOff.EffectIdentifier.DelayedAllOff,
    effectVariant: OnOff.DelayedAllOffEffectVariant.DelayedOffFastFade,
  });
  const afterOffWithEffect = {
    onOff: await light.getOnOffAttribute(true),
    globalSceneControl: await light.getGlobalSceneControlAttribute(true),
  };
  await light.commands.onWithRecallGlobalScene();
  const afterRecallGlobal = await light.getOnOffAttribute(true);
  const added = await scenes.commands.addScene({
    groupId: 0,
    sceneId: 1,
    transitionTime: 0,
    sceneName: "Evening",
    extensionFieldSetStructs: [{ clusterId: 6, attributeValueList: [{ attributeId: 0, valueUnsigned8: 0 }] }],
  });
  const viewed = await scenes.commands.viewScene({ groupId: 0, sceneId: 1 });
  await scenes.commands.recallScene({ groupId: 0, sceneId: 1 });
  const afterRecall = await light.getOnOffAttribute(true);
  const membership = await scenes.commands.getSceneMembership({ groupId: 0 });
  const info = await scenes.getFabricSceneInfoAttribute(true, true);
  result("light", {
    startUpOnOff,
    afterOffWithEffect,
    afterRecallGlobal,
    added,
    viewed,
    afterRecall,
    membership,
    info,
  });
}

// ---- Optional: a subscription to OnOff on an endpoint the device's application changes on its own ---------------
if (process.env.CTRL_SUBSCRIBE_ONOFF_ENDPOINT) {
  const client = await clusterClient(OnOff, Number(process.env.CTRL_SUBSCRIBE_ONOFF_ENDPOINT));
  const values = [];
  await client.subscribeOnOffAttribute((value) => values.push(value), 0, 10);
  await waitFor(() => values.includes(true) && values.includes(false), 30_000, "OnOff reports with both values");
  result("subscribed-onoff", { values: values.slice(0, 8) });
}

// ---- Optional multi-admin / removal steps (need the PairedNode API, i.e. not CTRL_MINIMAL) ------------------------
if (process.env.CTRL_OPEN_WINDOW === "basic") {
  await (await controller.getNode(nodeId)).openBasicCommissioningWindow(180); // AdministratorCommissioning.OpenBasicCommissioningWindow
  result("window-opened", { kind: "basic", passcode: "unchanged (device passcode)" });
} else if (process.env.CTRL_OPEN_WINDOW === "enhanced") {
  // RevokeCommissioning + OpenCommissioningWindow (timed invokes) with a PAKE verifier for a random passcode
  const codes = await (await controller.getNode(nodeId)).openEnhancedCommissioningWindow(180);
  result("window-opened", { kind: "enhanced", ...codes });
}
if (process.env.CTRL_REMOVE === "1") {
  // OperationalCredentials.RemoveFabric(own fabric index), invoked directly so that the NOCResponse must arrive
  // (matter.js's removeNode() swallows a lost response, or skips the command while reconnecting).
  let removal;
  try {
    const response = await (await clusterClient(OperationalCredentials, 0)).commands.removeFabric({ fabricIndex: cfi });
    removal = { received: true, statusCode: response.statusCode, fabricIndex: response.fabricIndex ?? null };
  } catch (error) {
    removal = { received: false, error: String(error) };
  }
  result("removed", { nodeId, requestedFabricIndex: cfi, ...removal });
}

const ok = labelOk && before.commissionedFabrics >= 1 && cfi === before.currentFabricIndex;
result("summary", { ok, mode, minimal, operationalMode, attestationMode, nodeId });
await controller.close();
await dcl?.close();
process.exit(ok ? 0 : 1);
