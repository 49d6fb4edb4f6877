// A toy cluster and sessions for the IM core tests.

import { Privilege } from "../../src/fabric/access-control.ts";
import { ImStatus } from "../../src/fabric/status-codes.ts";
import {
  type AccessChecker,
  AttributeChangeEmitter,
  attribute,
  type Cluster,
  command,
  EventPriority,
  event,
  type SessionInfo,
} from "../../src/im/data-model.ts";
import { ImStatusError } from "../../src/im/status-code.ts";
import {
  type TlvType,
  tlvArray,
  tlvBytes,
  tlvFabricIndex,
  tlvField,
  tlvOptionalField,
  tlvString,
  tlvStruct,
  tlvUInt8,
  tlvUInt16,
  tlvUInt64,
} from "../../src/tlv/tlv-schema.ts";

export const session = (over: Partial<SessionInfo> = {}): SessionInfo => ({
  kind: "case",
  fabricIndex: 1,
  subjectNodeId: 0x1122n,
  cats: [],
  attestationChallenge: new Uint8Array(16),
  id: 7,
  ...over,
});

export const pase = (over: Partial<SessionInfo> = {}): SessionInfo =>
  session({ kind: "pase", fabricIndex: 0, subjectNodeId: 0n, ...over });

/** Grants everything up to `max` privilege. */
export const grantUpTo =
  (max: Privilege): AccessChecker =>
  (_s, _t, p) =>
    p <= max;
export const allowAll: AccessChecker = () => true;

export const Entry = tlvStruct({
  name: tlvField(1, tlvString({ maxLength: 8 })),
  secret: tlvField(2, tlvBytes({ maxLength: 4 })),
  fabricIndex: tlvFabricIndex,
});
export type Entry = TlvType<typeof Entry>;

export const EchoRequest = tlvStruct({ value: tlvField(0, tlvUInt16), extra: tlvOptionalField(1, tlvUInt8) });
export const EchoResponse = tlvStruct({ value: tlvField(0, tlvUInt16) });
export const Ping = tlvStruct({ n: tlvField(0, tlvUInt8) });

export function toyCluster() {
  const changes = new AttributeChangeEmitter();
  const state = {
    counter: 5n,
    entries: [
      { name: "a", secret: Uint8Array.of(1), fabricIndex: 1 },
      { name: "b", secret: Uint8Array.of(2), fabricIndex: 2 },
      { name: "c", secret: Uint8Array.of(3), fabricIndex: 1 },
    ] as Entry[],
    calls: 0,
  };
  const cluster = {
    id: 0xfff1fc01,
    name: "Toy",
    revision: 3,
    featureMap: 0b101,
    changes,
    attributes: [
      attribute({
        id: 0,
        name: "Counter",
        schema: tlvUInt64,
        readPrivilege: Privilege.View,
        writePrivilege: Privilege.Manage,
        read: () => state.counter,
        write: async (v) => {
          state.counter = v;
          changes.emit(0);
          return { status: ImStatus.SUCCESS };
        },
      }),
      attribute({
        id: 1,
        name: "Entries",
        schema: tlvArray(Entry),
        readPrivilege: Privilege.View,
        writePrivilege: Privilege.Administer,
        fabricScoped: true,
        fabricSensitiveFields: [2],
        read: () => state.entries,
        write: async (v, ctx) => {
          if (v.some((e) => e.name === "bad")) return { status: ImStatus.CONSTRAINT_ERROR };
          state.entries = [...state.entries.filter((e) => e.fabricIndex !== ctx.session.fabricIndex), ...v];
          changes.emit(1);
          return { status: ImStatus.SUCCESS };
        },
      }),
      attribute({
        id: 2,
        name: "AdminOnly",
        schema: tlvUInt8,
        readPrivilege: Privilege.Administer,
        changesOmitted: true,
        read: () => 9,
      }),
      attribute({
        id: 3,
        name: "Broken",
        schema: tlvUInt8,
        readPrivilege: Privilege.View,
        read: () => {
          throw new ImStatusError(ImStatus.INVALID_IN_STATE, "not now");
        },
      }),
    ],
    commands: [
      command({
        id: 0,
        name: "Echo",
        requestSchema: EchoRequest,
        response: { id: 1, name: "EchoResponse", schema: EchoResponse },
        invokePrivilege: Privilege.Operate,
        fabricScoped: false,
        timed: false,
        handler: async (req) => {
          state.calls++;
          if (req.value === 0xdead) throw new ImStatusError(ImStatus.CONSTRAINT_ERROR, "dead", 7);
          if (req.value === 0xbad) throw new TypeError("bug");
          return { response: { value: req.value + 1 } };
        },
      }),
      command({
        id: 2,
        name: "Scoped",
        invokePrivilege: Privilege.Administer,
        fabricScoped: true,
        timed: true,
        handler: async () => {
          state.calls++;
          return { status: ImStatus.SUCCESS, afterResponse: [{ type: "restart-operational-advertising" }] };
        },
      }),
      command({
        id: 3,
        name: "PingPong",
        requestSchema: Ping,
        response: { id: 1, name: "EchoResponse", schema: EchoResponse },
        invokePrivilege: Privilege.View,
        fabricScoped: false,
        timed: false,
        handler: async (req) => ({ response: { value: req.n } }),
      }),
    ],
    events: [
      event({
        id: 0,
        name: "Happened",
        priority: EventPriority.Info,
        readPrivilege: Privilege.View,
        fabricSensitive: false,
        schema: Ping,
      }),
      event({
        id: 1,
        name: "Secret",
        priority: EventPriority.Critical,
        readPrivilege: Privilege.Administer,
        fabricSensitive: true,
        schema: Ping,
      }),
    ],
  } satisfies Cluster;
  return { cluster, state, changes };
}
