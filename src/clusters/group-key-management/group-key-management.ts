/**
 * Group Key Management cluster 0x003F, revision 2 (Core spec 11.2, Matter 1.4.2 data model XML), without the
 * provisional CacheAndSync feature. Key sets, GroupKeyMap and the group table live in the fabric layer's GroupKeyStore.
 */

import { Privilege } from "../../fabric/access-control.ts";
import type { FabricIndex } from "../../fabric/fabric-index.ts";
import { GROUP_KEY_SECURITY_POLICY, type GroupKeySet, type GroupKeyStore } from "../../fabric/group-keys.ts";
import { ImStatus } from "../../fabric/status-codes.ts";
import { AttributeChangeEmitter, type Cluster, clusterSpec } from "../../im/data-model.ts";
import { ImStatusError } from "../../im/status-code.ts";
import {
  type TlvType,
  tlvArray,
  tlvBytes,
  tlvEnum8,
  tlvFabricIndex,
  tlvField,
  tlvNullable,
  tlvOptionalField,
  tlvString,
  tlvStruct,
  tlvUInt16,
  tlvUInt64,
} from "../../tlv/tlv-schema.ts";

/** The Group Key Management cluster (Core 11.2) as the Matter 1.4.2 data model defines it. */
export const GroupKeyManagementCluster = clusterSpec({
  id: 0x003f,
  name: "GroupKeyManagement",
  revision: 2,
  // Attribute ids (Core 11.2.6).
  attributes: { GroupKeyMap: 0x0000, GroupTable: 0x0001, MaxGroupsPerFabric: 0x0002, MaxGroupKeysPerFabric: 0x0003 },
  // Command ids (Core 11.2.7).
  commands: {
    KeySetWrite: 0x00,
    KeySetRead: 0x01,
    KeySetReadResponse: 0x02,
    KeySetRemove: 0x03,
    KeySetReadAllIndices: 0x04,
    KeySetReadAllIndicesResponse: 0x05,
  },
  events: {},
});

/**
 * GroupKeySetStruct (Core 11.2.5.3). Epoch keys are decoded without a length bound here so that a wrong length is the
 * CONSTRAINT_ERROR of KeySetWrite validation rather than a decode failure (INVALID_COMMAND).
 */
export const GroupKeySetStruct = tlvStruct({
  groupKeySetId: tlvField(0, tlvUInt16),
  groupKeySecurityPolicy: tlvField(1, tlvEnum8),
  epochKey0: tlvField(2, tlvNullable(tlvBytes())),
  epochStartTime0: tlvField(3, tlvNullable(tlvUInt64)),
  epochKey1: tlvField(4, tlvNullable(tlvBytes())),
  epochStartTime1: tlvField(5, tlvNullable(tlvUInt64)),
  epochKey2: tlvField(6, tlvNullable(tlvBytes())),
  epochStartTime2: tlvField(7, tlvNullable(tlvUInt64)),
});
export type GroupKeySetStruct = TlvType<typeof GroupKeySetStruct>;

/** GroupKeyMapStruct (Core 11.2.5.5), fabric-scoped. */
export const GroupKeyMapStruct = tlvStruct({
  groupId: tlvField(1, tlvUInt16),
  groupKeySetId: tlvField(2, tlvUInt16),
  fabricIndex: tlvFabricIndex,
});
/** GroupInfoMapStruct (Core 11.2.5.4), fabric-scoped. */
export const GroupInfoMapStruct = tlvStruct({
  groupId: tlvField(1, tlvUInt16),
  endpoints: tlvField(2, tlvArray(tlvUInt16, { minLength: 1 })),
  groupName: tlvOptionalField(3, tlvString({ maxLength: 16 })),
  fabricIndex: tlvFabricIndex,
});

/** KeySetWrite { 0 GroupKeySet }. */
export const KeySetWriteRequest = tlvStruct({ groupKeySet: tlvField(0, GroupKeySetStruct) });
/** KeySetRead / KeySetRemove { 0 GroupKeySetID }. */
export const KeySetIdRequest = tlvStruct({ groupKeySetId: tlvField(0, tlvUInt16) });
/** KeySetReadResponse { 0 GroupKeySet } (epoch keys always null). */
export const KeySetReadResponse = tlvStruct({ groupKeySet: tlvField(0, GroupKeySetStruct) });
/** KeySetReadAllIndicesResponse { 0 GroupKeySetIDs list[uint16] }. */
export const KeySetReadAllIndicesResponse = tlvStruct({ groupKeySetIds: tlvField(0, tlvArray(tlvUInt16)) });

/** What the cluster needs from the node. */
export interface GroupKeyManagementOptions {
  readonly groupKeys: GroupKeyStore;
  /** Fabric indices to list in unfiltered reads of GroupKeyMap / GroupTable (the fabric table's committed + pending). */
  readonly fabricIndices: () => readonly number[];
}

/** Creates the Group Key Management cluster server. */
export function createGroupKeyManagement(options: GroupKeyManagementOptions): Cluster {
  const { groupKeys } = options;
  const changes = new AttributeChangeEmitter();
  // The dispatcher refuses fabric-scoped commands and writes on a session without a fabric, so the index is 1..254.
  const fabricOf = (fabricIndex: number) => fabricIndex as FabricIndex;

  return GroupKeyManagementCluster.server({
    featureMap: 0,
    changes,
    attributes: [
      GroupKeyManagementCluster.attribute("GroupKeyMap", {
        schema: tlvArray(GroupKeyMapStruct),
        readPrivilege: Privilege.View,
        writePrivilege: Privilege.Manage,
        fabricScoped: true,
        read: () =>
          options
            .fabricIndices()
            .flatMap((fi) => groupKeys.groupKeyMap(fabricOf(fi)).map((e) => ({ ...e, fabricIndex: fi }))),
        write: async (entries, ctx) => {
          const fi = fabricOf(ctx.session.fabricIndex);
          // 11.2.6.1: a GroupKeySetID that does not exist on the fabric is a constraint error (SDK: CONSTRAINT_ERROR).
          for (const e of entries)
            if (groupKeys.keySet(fi, e.groupKeySetId) === undefined && e.groupKeySetId !== 0)
              return { status: ImStatus.CONSTRAINT_ERROR };
          await groupKeys.setGroupKeyMap(
            fi,
            entries.map((e) => ({ groupId: e.groupId, groupKeySetId: e.groupKeySetId })),
          );
          changes.emit(GroupKeyManagementCluster.attributes.GroupKeyMap);
          return { status: ImStatus.SUCCESS };
        },
      }),
      GroupKeyManagementCluster.attribute("GroupTable", {
        schema: tlvArray(GroupInfoMapStruct),
        readPrivilege: Privilege.View,
        fabricScoped: true,
        read: () =>
          options.fabricIndices().flatMap((fi) =>
            groupKeys.groupTable(fabricOf(fi)).map((g) => ({
              groupId: g.groupId,
              endpoints: [...g.endpoints],
              ...(g.groupName === "" ? {} : { groupName: g.groupName }),
              fabricIndex: fi,
            })),
          ),
      }),
      GroupKeyManagementCluster.attribute("MaxGroupsPerFabric", {
        schema: tlvUInt16,
        readPrivilege: Privilege.View,
        read: () => groupKeys.maxGroupsPerFabric,
      }),
      GroupKeyManagementCluster.attribute("MaxGroupKeysPerFabric", {
        schema: tlvUInt16,
        readPrivilege: Privilege.View,
        read: () => groupKeys.maxGroupKeysPerFabric,
      }),
    ],
    commands: [
      GroupKeyManagementCluster.command("KeySetWrite", "F A", {
        requestSchema: KeySetWriteRequest,
        handler: async (req, ctx) => {
          const s = req.groupKeySet;
          // 11.2.7.1: CacheAndSync without the CS feature → CONSTRAINT_ERROR.
          if (s.groupKeySecurityPolicy !== GROUP_KEY_SECURITY_POLICY.trustFirst)
            return { status: ImStatus.CONSTRAINT_ERROR };
          // Validation (INVALID_COMMAND / CONSTRAINT_ERROR / RESOURCE_EXHAUSTED, key set 0 refused) is the store's.
          await groupKeys.writeKeySet(fabricOf(ctx.session.fabricIndex), s as GroupKeySet);
          return { status: ImStatus.SUCCESS };
        },
      }),
      GroupKeyManagementCluster.command("KeySetRead", "F A", {
        requestSchema: KeySetIdRequest,
        response: GroupKeyManagementCluster.response("KeySetReadResponse", KeySetReadResponse),
        handler: async (req, ctx) => {
          const set = groupKeys.keySet(fabricOf(ctx.session.fabricIndex), req.groupKeySetId);
          // 11.2.7.2: no such key set on the accessing fabric → NOT_FOUND.
          if (set === undefined) throw new ImStatusError(ImStatus.NOT_FOUND, `no key set ${req.groupKeySetId}`);
          // 11.2.7.3: the epoch keys SHALL be null in the response; start times and policy are returned.
          return {
            response: {
              groupKeySet: {
                groupKeySetId: set.groupKeySetId,
                groupKeySecurityPolicy: set.groupKeySecurityPolicy,
                epochKey0: null,
                epochStartTime0: set.epochStartTime0,
                epochKey1: null,
                epochStartTime1: set.epochStartTime1,
                epochKey2: null,
                epochStartTime2: set.epochStartTime2,
              },
            },
          };
        },
      }),
      GroupKeyManagementCluster.command("KeySetRemove", "F A", {
        requestSchema: KeySetIdRequest,
        handler: async (req, ctx) => {
          // 11.2.7.4: key set 0 (the IPK) → INVALID_COMMAND; an unknown id → NOT_FOUND (both from the store).
          await groupKeys.removeKeySet(fabricOf(ctx.session.fabricIndex), req.groupKeySetId);
          changes.emit(GroupKeyManagementCluster.attributes.GroupKeyMap);
          return { status: ImStatus.SUCCESS };
        },
      }),
      GroupKeyManagementCluster.command("KeySetReadAllIndices", "F A", {
        response: GroupKeyManagementCluster.response("KeySetReadAllIndicesResponse", KeySetReadAllIndicesResponse),
        handler: async (_req, ctx) => ({
          // 11.2.7.5: every key set id of the accessing fabric, the IPK (0) included.
          response: {
            groupKeySetIds: groupKeys.keySets(fabricOf(ctx.session.fabricIndex)).map((s) => s.groupKeySetId),
          },
        }),
      }),
    ],
    events: [],
  });
}
