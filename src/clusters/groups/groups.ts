/**
 * Groups cluster 0x0004, revision 4 (Application Cluster spec 1.3, Matter 1.4.2 data model XML) with the GroupNames
 * feature. Membership lives in the fabric layer's group table (GroupKeyStore), which Group Key Management's GroupTable
 * shows; statuses follow connectedhomeip's groups-server where the spec leaves them open.
 */
import { ProtocolError } from "../../bytes/errors.ts";
import { Privilege } from "../../fabric/access-control.ts";
import type { FabricIndex } from "../../fabric/fabric-index.ts";
import { labelBytes } from "../../fabric/fabric-record.ts";
import { type GroupKeyStore, MAX_GROUP_NAME_LENGTH } from "../../fabric/group-keys.ts";
import { ImStatus } from "../../fabric/status-codes.ts";
import { type Cluster, clusterSpec, type InvokeContext } from "../../im/data-model.ts";
import { isImStatus } from "../../im/status-code.ts";
import {
  tlvArray,
  tlvBitmap8,
  tlvEnum8,
  tlvField,
  tlvNullable,
  tlvString,
  tlvStruct,
  tlvUInt8,
  tlvUInt16,
} from "../../tlv/tlv-schema.ts";

/** Feature bits (1.3.4): GroupNames. */
const GroupsFeature = { GroupNames: 0x01 } as const;
/** NameSupportBitmap (1.3.5.1): bit 7 mirrors FeatureMap bit 0. */
const NameSupportBitmap = { GroupNames: 0x80 } as const;
/** GetGroupMembershipResponse Capacity 0xFE: at least one further group may be added (exact number unknown). */
export const CAPACITY_AT_LEAST_ONE = 0xfe;

/** The Groups cluster (Application Cluster spec 1.3) as the Matter 1.4.2 data model defines it. */
export const GroupsCluster = clusterSpec({
  id: 0x0004,
  name: "Groups",
  // This revision in the Matter 1.4.2 data model: "New data model format and notation".
  revision: 4,
  // Attribute ids (1.3.6).
  attributes: { NameSupport: 0x0000 },
  // Command ids (1.3.7); requests and their responses share ids.
  commands: {
    AddGroup: 0x00,
    AddGroupResponse: 0x00,
    ViewGroup: 0x01,
    ViewGroupResponse: 0x01,
    GetGroupMembership: 0x02,
    GetGroupMembershipResponse: 0x02,
    RemoveGroup: 0x03,
    RemoveGroupResponse: 0x03,
    RemoveAllGroups: 0x04,
    AddGroupIfIdentifying: 0x05,
  },
  events: {},
});

/** AddGroup / AddGroupIfIdentifying { 0 GroupID group-id, 1 GroupName string }; the name length is checked by the handler. */
export const AddGroupRequest = tlvStruct({ groupId: tlvField(0, tlvUInt16), groupName: tlvField(1, tlvString()) });
/** AddGroupResponse / RemoveGroupResponse { 0 Status enum8, 1 GroupID group-id }. */
export const GroupStatusResponse = tlvStruct({ status: tlvField(0, tlvEnum8), groupId: tlvField(1, tlvUInt16) });
/** ViewGroup / RemoveGroup { 0 GroupID group-id }. */
export const GroupIdRequest = tlvStruct({ groupId: tlvField(0, tlvUInt16) });
/** ViewGroupResponse { 0 Status enum8, 1 GroupID group-id, 2 GroupName string max 16 }. */
export const ViewGroupResponse = tlvStruct({
  status: tlvField(0, tlvEnum8),
  groupId: tlvField(1, tlvUInt16),
  groupName: tlvField(2, tlvString({ maxLength: MAX_GROUP_NAME_LENGTH })),
});
/** GetGroupMembership { 0 GroupList list[group-id] }. */
export const GetGroupMembershipRequest = tlvStruct({ groupList: tlvField(0, tlvArray(tlvUInt16)) });
/** GetGroupMembershipResponse { 0 Capacity uint8 nullable, 1 GroupList list[group-id] }. */
export const GetGroupMembershipResponse = tlvStruct({
  capacity: tlvField(0, tlvNullable(tlvUInt8)),
  groupList: tlvField(1, tlvArray(tlvUInt16)),
});

/** What Groups needs from Scenes Management: the scenes of a removed group go with it. */
export interface GroupScenes {
  /** Drops the fabric's scenes of `groupId` (0 = the global scene) on this endpoint. */
  removeGroupScenes(fabricIndex: number, groupId: number): void;
}

/** What the cluster needs from the node. */
export interface GroupsOptions {
  readonly groupKeys: GroupKeyStore;
  /** Whether the endpoint identifies at `now` (Identify's IdentifyTime > 0), for AddGroupIfIdentifying. */
  readonly isIdentifying: (now: number) => boolean;
  /** Called after the group table changed, so Group Key Management reports GroupTable (SDK: root endpoint report). */
  readonly onGroupTableChanged?: () => void;
  /** Scenes Management on the same endpoint, when present. */
  readonly scenes?: GroupScenes;
}

/** The Groups cluster server. */
export interface GroupsServer {
  readonly cluster: Cluster;
}

/** Creates the Groups cluster server; the endpoint of each command is the path's (InvokeContext.endpoint). */
export function createGroups(options: GroupsOptions): GroupsServer {
  const { groupKeys } = options;
  // The dispatcher refuses fabric-scoped commands on a session without a fabric, so the index is 1..254.
  const fabricOf = (ctx: InvokeContext) => ctx.session.fabricIndex as FabricIndex;
  const endpointOf = (ctx: InvokeContext) => ctx.endpoint ?? 0;
  const changed = () => options.onGroupTableChanged?.();

  /** 1.3.7.1 AddGroup (shared with AddGroupIfIdentifying); returns the status the response carries. */
  const addGroup = async (groupId: number, groupName: string, ctx: InvokeContext): Promise<ImStatus> => {
    // GroupID "min 1", GroupName "max 16" (bytes, as every Matter string length): constraint violations (SDK:
    // CONSTRAINT_ERROR in the response).
    if (groupId === 0) return ImStatus.CONSTRAINT_ERROR;
    if (labelBytes(groupName) > MAX_GROUP_NAME_LENGTH) return ImStatus.CONSTRAINT_ERROR;
    const fi = fabricOf(ctx);
    // 1.3.7.1: a group without an entry in the accessing fabric's GroupKeyMap is UNSUPPORTED_ACCESS (SDK KeyExists:
    // a map entry whose key set exists).
    const keyed = groupKeys
      .groupKeyMap(fi)
      .some((m) => m.groupId === groupId && groupKeys.keySet(fi, m.groupKeySetId) !== undefined);
    if (!keyed) return ImStatus.UNSUPPORTED_ACCESS;
    try {
      // A full group table is RESOURCE_EXHAUSTED (from the store).
      await groupKeys.addGroup(fi, groupId, endpointOf(ctx), groupName);
    } catch (e) {
      if (e instanceof ProtocolError && isImStatus(e.status)) return e.status;
      throw e;
    }
    changed();
    return ImStatus.SUCCESS;
  };

  const cluster = GroupsCluster.server({
    featureMap: GroupsFeature.GroupNames,
    attributes: [
      GroupsCluster.attribute("NameSupport", {
        schema: tlvBitmap8,
        readPrivilege: Privilege.View,
        // 1.3.6.1: bit 7 SHALL equal FeatureMap bit 0 (GroupNames).
        read: () => NameSupportBitmap.GroupNames,
      }),
    ],
    commands: [
      GroupsCluster.command("AddGroup", "F M", {
        requestSchema: AddGroupRequest,
        response: GroupsCluster.response("AddGroupResponse", GroupStatusResponse),
        handler: async (req, ctx) => ({
          response: { status: await addGroup(req.groupId, req.groupName, ctx), groupId: req.groupId },
        }),
      }),
      GroupsCluster.command("ViewGroup", "F O", {
        requestSchema: GroupIdRequest,
        response: GroupsCluster.response("ViewGroupResponse", ViewGroupResponse),
        handler: async (req, ctx) => {
          const { groupId } = req;
          if (groupId === 0) return { response: { status: ImStatus.CONSTRAINT_ERROR, groupId, groupName: "" } };
          const fi = fabricOf(ctx);
          // 1.3.7.2: a group this endpoint is not a member of (on the accessing fabric) is NOT_FOUND.
          const entry = groupKeys
            .groupTable(fi)
            .find((g) => g.groupId === groupId && g.endpoints.includes(endpointOf(ctx)));
          if (entry === undefined) return { response: { status: ImStatus.NOT_FOUND, groupId, groupName: "" } };
          return { response: { status: ImStatus.SUCCESS, groupId, groupName: entry.groupName } };
        },
      }),
      GroupsCluster.command("GetGroupMembership", "F O", {
        requestSchema: GetGroupMembershipRequest,
        response: GroupsCluster.response("GetGroupMembershipResponse", GetGroupMembershipResponse),
        handler: async (req, ctx) => {
          const fi = fabricOf(ctx);
          const table = groupKeys.groupTable(fi);
          const mine = table.filter((g) => g.endpoints.includes(endpointOf(ctx))).map((g) => g.groupId);
          // 1.3.7.3: an empty GroupList asks for every group of the endpoint; otherwise the requested ones it is in.
          const wanted = new Set(req.groupList);
          const groupList = wanted.size === 0 ? mine : mine.filter((id) => wanted.has(id));
          // GetGroupMembershipResponse: Capacity is the number of groups that may still be added (0xFE = at least one).
          const capacity = Math.min(CAPACITY_AT_LEAST_ONE, Math.max(0, groupKeys.maxGroupsPerFabric - table.length));
          return { response: { capacity, groupList } };
        },
      }),
      GroupsCluster.command("RemoveGroup", "F M", {
        requestSchema: GroupIdRequest,
        response: GroupsCluster.response("RemoveGroupResponse", GroupStatusResponse),
        handler: async (req, ctx) => {
          const { groupId } = req;
          if (groupId === 0) return { response: { status: ImStatus.CONSTRAINT_ERROR, groupId } };
          const fi = fabricOf(ctx);
          // 1.3.7.4: "If a group is removed the scenes associated with that group SHOULD be removed" (the SDK drops
          // them before the membership check).
          options.scenes?.removeGroupScenes(fi, groupId);
          // A group this endpoint is not a member of is NOT_FOUND.
          if (!(await groupKeys.removeGroupEndpoint(fi, groupId, endpointOf(ctx))))
            return { response: { status: ImStatus.NOT_FOUND, groupId } };
          changed();
          return { response: { status: ImStatus.SUCCESS, groupId } };
        },
      }),
      GroupsCluster.command("RemoveAllGroups", "F M", {
        handler: async (_req, ctx) => {
          const fi = fabricOf(ctx);
          const removed = await groupKeys.removeEndpoint(fi, endpointOf(ctx));
          // 1.3.7.5: the scenes of every removed group and the global scene (group 0) go too (SDK).
          for (const groupId of [...removed, 0]) options.scenes?.removeGroupScenes(fi, groupId);
          if (removed.length > 0) changed();
          return { status: ImStatus.SUCCESS };
        },
      }),
      GroupsCluster.command("AddGroupIfIdentifying", "F M", {
        requestSchema: AddGroupRequest,
        handler: async (req, ctx) => {
          // 1.3.7.6: only while identifying; otherwise the command is ignored with SUCCESS (SDK: "not a failure").
          if (!options.isIdentifying(ctx.now)) return { status: ImStatus.SUCCESS };
          return { status: await addGroup(req.groupId, req.groupName, ctx) };
        },
      }),
    ],
    events: [],
  });

  return { cluster };
}
