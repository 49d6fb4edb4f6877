// Shared fixtures of the Scenes Management tests: a fake storage, group table and On/Off light, and invoke helpers.
import assert from "node:assert/strict";
import { AddSceneRequest } from "../../../src/clusters/scenes-management/add-scene.ts";
import { CopySceneRequest } from "../../../src/clusters/scenes-management/copy-scene.ts";
import { createOnOffSceneable } from "../../../src/clusters/scenes-management/on-off-scenes.ts";
import { RecallSceneRequest } from "../../../src/clusters/scenes-management/recall-scene.ts";
import type { SceneableCluster } from "../../../src/clusters/scenes-management/sceneable-cluster.ts";
import {
  createScenesManagement,
  type ScenesManagementServer,
} from "../../../src/clusters/scenes-management/scenes-management.ts";
import { GroupRequest, SceneRequest } from "../../../src/clusters/scenes-management/scenes-management-commands.ts";
import type { ScenesStorage } from "../../../src/clusters/scenes-management/scenes-management-options.ts";
import { readAttribute } from "../../../src/im/attribute-read.ts";
import { type AccessChecker, ClusterInstance, type SessionInfo } from "../../../src/im/data-model.ts";
import { type InvokeOutcome, invokeCommand } from "../../../src/im/invoke.ts";
import type { JsonValue, StorageValue } from "../../../src/storage/storage.ts";
import { ANONYMOUS, type TlvNode } from "../../../src/tlv/tlv-node.ts";
import type { TlvSchema } from "../../../src/tlv/tlv-schema.ts";

export const allow: AccessChecker = () => true;
export const ENDPOINT = 1;

/** A CASE session on a fabric (node id 0x1000 + fabric), or a PASE session without one. */
export const sess = (fabricIndex: number, kind: "pase" | "case" = "case"): SessionInfo => ({
  kind,
  fabricIndex,
  subjectNodeId: kind === "case" ? 0x1000n + BigInt(fabricIndex) : 0n,
  cats: [],
  attestationChallenge: new Uint8Array(16),
  id: 1,
});

/** A storage that keeps JSON copies, counts writes and can be made to fail. */
export class FakeStorage implements ScenesStorage {
  readonly records = new Map<string, string>();
  writes = 0;
  failWrites = false;
  async get(key: string): Promise<StorageValue | undefined> {
    const v = this.records.get(key);
    return v === undefined ? undefined : (JSON.parse(v) as JsonValue);
  }
  async set(key: string, value: JsonValue): Promise<void> {
    if (this.failWrites) throw new TypeError("storage is failing (test)");
    this.writes++;
    this.records.set(key, JSON.stringify(value));
  }
}

/** A fake On/Off light: its state, and the transition times recalls asked for. */
export class FakeLight {
  onOff = false;
  readonly transitions: number[] = [];
  readonly sceneable: SceneableCluster;
  constructor() {
    const inner = createOnOffSceneable({ onOff: () => this.onOff, setOnOff: (v) => (this.onOff = v) });
    this.sceneable = {
      ...inner,
      apply: (pairs, ms) => {
        this.transitions.push(ms);
        inner.apply(pairs, ms);
      },
    };
  }
}

/** Groups present in the group table, as "fabric/group" (all on ENDPOINT). */
export type Groups = Set<string>;

export interface Fixture {
  readonly server: ScenesManagementServer;
  readonly inst: ClusterInstance;
  readonly storage: FakeStorage;
  readonly light: FakeLight;
  readonly groups: Groups;
  readonly fabrics: number[];
  /** Storage failures the hook entry points reported. */
  readonly errors: unknown[];
  invoke(id: number, fields: TlvNode | undefined, session?: SessionInfo): Promise<InvokeOutcome>;
}

export async function setup(
  opts: { storage?: FakeStorage; sceneTableSize?: number; groups?: Groups; fabrics?: number[] } = {},
): Promise<Fixture> {
  const storage = opts.storage ?? new FakeStorage();
  const groups: Groups = opts.groups ?? new Set(["1/1", "1/2", "2/1"]);
  const fabrics = opts.fabrics ?? [1, 2, 3];
  const light = new FakeLight();
  const errors: unknown[] = [];
  const server = await createScenesManagement({
    endpoint: ENDPOINT,
    storage,
    groupExists: (fi, g, ep) => ep === ENDPOINT && groups.has(`${fi}/${g}`),
    fabricIndices: () => fabrics,
    sceneableClusters: [light.sceneable],
    onError: (e) => errors.push(e),
    ...(opts.sceneTableSize === undefined ? {} : { sceneTableSize: opts.sceneTableSize }),
  });
  const inst = new ClusterInstance(ENDPOINT, server.cluster, 0);
  const invoke = (id: number, fields: TlvNode | undefined, session = sess(1)) =>
    invokeCommand(inst, id, fields, { session, timed: false, now: 0 }, allow);
  return { server, inst, storage, light, groups, fabrics, errors, invoke };
}

/** The response fields of an outcome, decoded with `schema` (asserts a response of command `commandId`). */
export function responseOf<T>(out: InvokeOutcome, commandId: number, schema: TlvSchema<T>): T {
  assert.ok(out.kind === "response", `expected a response, got status ${out.kind === "status" ? out.status : ""}`);
  assert.equal(out.commandId, commandId);
  return schema.decodeNode(out.fields, "response");
}

/** The IM status of a status outcome, or "response". */
export const statusOf = (out: InvokeOutcome) => (out.kind === "status" ? out.status : "response");

export const ON_OFF = 0x0006;
/** An OnOff extension field set with `value` as ValueUnsigned8. */
export const onOffSet = (value: number) => ({
  clusterId: ON_OFF,
  attributeValueList: [{ attributeId: 0, valueUnsigned8: value }],
});

export const enc = {
  add: (r: Partial<AddSceneRequest> & { groupId: number; sceneId: number }) =>
    AddSceneRequest.encodeNode(
      { transitionTime: 0, sceneName: "", extensionFieldSetStructs: [onOffSet(1)], ...r },
      ANONYMOUS,
    ),
  scene: (groupId: number, sceneId: number) => SceneRequest.encodeNode({ groupId, sceneId }, ANONYMOUS),
  group: (groupId: number) => GroupRequest.encodeNode({ groupId }, ANONYMOUS),
  recall: (groupId: number, sceneId: number, transitionTime?: number | null) =>
    RecallSceneRequest.encodeNode(
      transitionTime === undefined ? { groupId, sceneId } : { groupId, sceneId, transitionTime },
      ANONYMOUS,
    ),
  copy: (mode: number, gf: number, sf: number, gt: number, st: number) =>
    CopySceneRequest.encodeNode(
      { mode, groupIdentifierFrom: gf, sceneIdentifierFrom: sf, groupIdentifierTo: gt, sceneIdentifierTo: st },
      ANONYMOUS,
    ),
};

/** Reads an attribute of the instance for `session` and decodes it with `schema`. */
export function read<T>(
  inst: ClusterInstance,
  attributeId: number,
  schema: TlvSchema<T>,
  session = sess(1),
  fabricFiltered = true,
): T {
  const r = readAttribute(inst, attributeId, { session, now: 0 }, { fabricFiltered }, allow);
  assert.ok(r.kind === "data", `read 0x${attributeId.toString(16)} failed`);
  return schema.decodeNode(r.value, "attribute");
}
