// The lifecycle log's inputs from the node's drivers: a cluster wrapped with `observe` logs NOC and CSR errors by their
// status names (NOCResponse StatusCode, IM status, a thrown ProtocolError) at warn and successes at debug, and answers
// exactly as the cluster does; the fail-safe timer logs armed, extended, expired and disarmed once each; a handshake
// failure is logged with its decoded reason.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ProtocolError } from "../../src/bytes/errors.ts";
import { NodeOperationalCertStatus } from "../../src/clusters/operational-credentials/node-operational-cert-status.ts";
import type { FabricTable } from "../../src/fabric/fabric-table.ts";
import { ImStatus } from "../../src/fabric/status-codes.ts";
import type { Cluster, CommandDefinition, InvokeContext } from "../../src/im/data-model.ts";
import { LifecycleLog } from "../../src/node/lifecycle-log.ts";
import type { LogFields, LogLevel, LogModule } from "../../src/node/node-log.ts";
import { SecureChannelError } from "../../src/sc/secure-channel-error.ts";
import { NO_SHARED_TRUST_ROOTS } from "../../src/sc/status-report.ts";

type Logged = { level: LogLevel; message: string; module: LogModule | undefined; fields: LogFields | undefined };

/** A fabric table with no fabrics and no changes: these tests feed the other inputs. */
const noFabrics = { fabrics: () => [], fabric: () => undefined, onChange: () => () => {} } as unknown as FabricTable;

function setup() {
  const logged: Logged[] = [];
  const log = LifecycleLog.attach(noFabrics, (level, message, module, fields) =>
    logged.push({ level, message, module, fields }),
  );
  return { log, logged };
}

const ctx: InvokeContext = {
  session: {
    kind: "pase",
    fabricIndex: 0,
    subjectNodeId: 0n,
    cats: [],
    attestationChallenge: new Uint8Array(16),
    id: 7,
  },
  timed: false,
  now: 0,
};

function commandOf(name: string, handler: CommandDefinition["handler"], response?: string): CommandDefinition {
  return {
    id: 1,
    name,
    ...(response === undefined ? {} : { response: { id: 2, name: response, schema: undefined as never } }),
    invokePrivilege: 5,
    fabricScoped: false,
    timed: false,
    handler,
  };
}

const clusterOf = (id: number, commands: CommandDefinition[]): Cluster => ({
  id,
  name: "Test",
  revision: 1,
  featureMap: 0,
  attributes: [],
  commands,
  events: [],
});

test("observe: an AddNOC error is logged with its NOCResponse status name and DebugText; the answer is unchanged", async () => {
  const { log, logged } = setup();
  const answer = { response: { statusCode: NodeOperationalCertStatus.InvalidNOC, debugText: "fabric.node-id" } };
  const cluster = log.observe(clusterOf(0x3e, [commandOf("AddNOC", async () => answer, "NOCResponse")]));
  assert.equal(await cluster.commands[0]!.handler({}, ctx), answer);
  assert.equal(logged.length, 1);
  assert.equal(logged[0]!.level, "warn");
  assert.equal(logged[0]!.module, "fabric");
  assert.equal(logged[0]!.message, "AddNOC -> NOCResponse InvalidNOC: fabric.node-id (PASE session 7)");
  assert.equal(logged[0]!.fields?.status, "InvalidNOC");
});

test("observe: a CSRRequest answered with an IM status, and a thrown ProtocolError, are logged by status name", async () => {
  const { log, logged } = setup();
  const failing = new ProtocolError("fabric.incorrect-state", "NOC data is already pending", ImStatus.FAILURE);
  const cluster = log.observe(
    clusterOf(0x3e, [
      commandOf("CSRRequest", async () => ({ status: ImStatus.INVALID_COMMAND }), "CSRResponse"),
      commandOf("AddTrustedRootCertificate", async () => {
        throw failing;
      }),
    ]),
  );
  assert.deepEqual(await cluster.commands[0]!.handler({}, ctx), { status: ImStatus.INVALID_COMMAND });
  await assert.rejects(cluster.commands[1]!.handler({}, ctx), (e) => e === failing);
  assert.deepEqual(
    logged.map((l) => [l.level, l.module, l.message]),
    [
      ["warn", "fabric", "CSRRequest -> INVALID_COMMAND (PASE session 7)"],
      ["warn", "fabric", "AddTrustedRootCertificate -> FAILURE: fabric.incorrect-state: NOC data is already pending"],
    ],
  );
});

test("observe: successes are debug lines of the im module; General Commissioning errors are commissioning's", async () => {
  const { log, logged } = setup();
  const cluster = log.observe(
    clusterOf(0x30, [
      commandOf("ArmFailSafe", async () => ({ response: { errorCode: 0, debugText: "" } }), "ArmFailSafeResponse"),
      commandOf(
        "CommissioningComplete",
        async () => ({ response: { errorCode: 3, debugText: "" } }),
        "CommissioningCompleteResponse",
      ),
    ]),
  );
  await cluster.commands[0]!.handler({}, ctx);
  await cluster.commands[1]!.handler({}, ctx);
  assert.deepEqual(
    logged.map((l) => [l.level, l.module, l.message]),
    [
      ["debug", "im", "ArmFailSafe -> ArmFailSafeResponse OK (PASE session 7)"],
      ["warn", "commissioning", "CommissioningComplete -> CommissioningCompleteResponse NoFailSafe (PASE session 7)"],
    ],
  );
});

test("the fail-safe: armed, extended, expired and reverted, then armed again and disarmed by CommissioningComplete", () => {
  const { log, logged } = setup();
  log.failSafeTimer(60_000, 0);
  log.failSafeTimer(120_000, 1_000);
  log.failSafeExpired();
  log.failSafeExpired("RevokeCommissioning");
  log.failSafeTimer(null, 120_000, "expiry");
  log.failSafeTimer(null, 120_000, "expiry");
  log.failSafeTimer(300_000, 200_000);
  log.failSafeTimer(null, 210_000, "commissioning-complete");
  assert.deepEqual(
    logged.map((l) => [l.level, l.module, l.fields?.event]),
    [
      ["info", "commissioning", "fail-safe-armed"],
      ["debug", "commissioning", "fail-safe-extended"],
      ["warn", "commissioning", "fail-safe-expired"],
      ["info", "commissioning", "fail-safe-reverted"],
      ["info", "commissioning", "fail-safe-armed"],
      ["info", "commissioning", "fail-safe-disarmed"],
    ],
  );
  assert.equal(logged[0]!.message, "fail-safe armed: expires in 60 s");
  assert.match(logged[5]!.message, /CommissioningComplete/);
});

test("a handshake failure is a warn line of the sc module with its reason and code", () => {
  const { log, logged } = setup();
  log.handshakeFailed(
    "case",
    new SecureChannelError("case.no-shared-trust-roots", "destinationId matches no fabric", NO_SHARED_TRUST_ROOTS),
  );
  assert.equal(logged[0]!.level, "warn");
  assert.equal(logged[0]!.module, "sc");
  assert.match(logged[0]!.message, /^CASE failed: no shared trust root/);
  assert.equal(logged[0]!.fields?.code, "case.no-shared-trust-roots");
});
