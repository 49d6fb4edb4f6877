/**
 * `ENDPOINT/CLUSTER/ATTRIBUTE` as a user types it: numbers (decimal or 0x hex) or, for the clusters this project
 * implements, their spec names (`0/BasicInformation/VendorID`, `1/OnOff/OnOff`; case-insensitive).
 */
import { MalformedError } from "../bytes/errors.ts";
import { ACCESS_CONTROL_CLUSTER_ID, AccessControlAttribute } from "../clusters/access-control/access-control.ts";
import {
  ADMINISTRATOR_COMMISSIONING_CLUSTER_ID,
  AdministratorCommissioningAttribute,
} from "../clusters/administrator-commissioning/administrator-commissioning.ts";
import {
  BASIC_INFORMATION_CLUSTER_ID,
  BasicInformationAttribute,
} from "../clusters/basic-information/basic-information.ts";
import { DESCRIPTOR_CLUSTER_ID, DescriptorAttribute } from "../clusters/descriptor/descriptor.ts";
import {
  GENERAL_COMMISSIONING_CLUSTER_ID,
  GeneralCommissioningAttribute,
} from "../clusters/general-commissioning/general-commissioning.ts";
import {
  GENERAL_DIAGNOSTICS_CLUSTER_ID,
  GeneralDiagnosticsAttribute,
} from "../clusters/general-diagnostics/general-diagnostics.ts";
import {
  GROUP_KEY_MANAGEMENT_CLUSTER_ID,
  GroupKeyManagementAttribute,
} from "../clusters/group-key-management/group-key-management.ts";
import { GROUPS_CLUSTER_ID, GroupsAttribute } from "../clusters/groups/groups.ts";
import { IDENTIFY_CLUSTER_ID, IdentifyAttribute } from "../clusters/identify/identify.ts";
import {
  NETWORK_COMMISSIONING_CLUSTER_ID,
  NetworkCommissioningAttribute,
} from "../clusters/network-commissioning/network-commissioning.ts";
import { ON_OFF_CLUSTER_ID } from "../clusters/on-off/on-off.ts";
import { OnOffAttribute } from "../clusters/on-off/on-off-options.ts";
import { OPERATIONAL_CREDENTIALS_CLUSTER_ID } from "../clusters/operational-credentials/operational-credentials-cluster.ts";
import { OperationalCredentialsAttribute } from "../clusters/operational-credentials/operational-credentials-options.ts";
import { SCENES_MANAGEMENT_CLUSTER_ID } from "../clusters/scenes-management/scenes-management.ts";
import { ScenesManagementAttribute } from "../clusters/scenes-management/scenes-management-options.ts";

/** A concrete attribute path. */
export type AttributePath = { readonly endpoint: number; readonly cluster: number; readonly attribute: number };

/** The clusters known by name: id and attribute ids by spec name. */
const CLUSTERS: ReadonlyMap<string, { id: number; attributes: Readonly<Record<string, number>> }> = new Map(
  Object.entries({
    Identify: { id: IDENTIFY_CLUSTER_ID, attributes: IdentifyAttribute },
    Groups: { id: GROUPS_CLUSTER_ID, attributes: GroupsAttribute },
    OnOff: { id: ON_OFF_CLUSTER_ID, attributes: OnOffAttribute },
    Descriptor: { id: DESCRIPTOR_CLUSTER_ID, attributes: DescriptorAttribute },
    AccessControl: { id: ACCESS_CONTROL_CLUSTER_ID, attributes: AccessControlAttribute },
    BasicInformation: { id: BASIC_INFORMATION_CLUSTER_ID, attributes: BasicInformationAttribute },
    GeneralCommissioning: { id: GENERAL_COMMISSIONING_CLUSTER_ID, attributes: GeneralCommissioningAttribute },
    NetworkCommissioning: { id: NETWORK_COMMISSIONING_CLUSTER_ID, attributes: NetworkCommissioningAttribute },
    GeneralDiagnostics: { id: GENERAL_DIAGNOSTICS_CLUSTER_ID, attributes: GeneralDiagnosticsAttribute },
    AdministratorCommissioning: {
      id: ADMINISTRATOR_COMMISSIONING_CLUSTER_ID,
      attributes: AdministratorCommissioningAttribute,
    },
    OperationalCredentials: { id: OPERATIONAL_CREDENTIALS_CLUSTER_ID, attributes: OperationalCredentialsAttribute },
    GroupKeyManagement: { id: GROUP_KEY_MANAGEMENT_CLUSTER_ID, attributes: GroupKeyManagementAttribute },
    ScenesManagement: { id: SCENES_MANAGEMENT_CLUSTER_ID, attributes: ScenesManagementAttribute },
  }).map(([name, c]) => [name.toLowerCase(), c]),
);

/** Parses `ENDPOINT/CLUSTER/ATTRIBUTE`; an unknown name or an out-of-range number is a MalformedError. */
export function parseAttributePath(text: string): AttributePath {
  const fail = (message: string) => new MalformedError("admin.attribute-path", message, { path: "attribute path" });
  const parts = text.split("/");
  if (parts.length !== 3) throw fail(`expected ENDPOINT/CLUSTER/ATTRIBUTE, got ${JSON.stringify(text)}`);
  const [e, c, a] = parts as [string, string, string];
  const endpoint = parseNumber(e, 0xfffe, "endpoint");
  const named = CLUSTERS.get(c.toLowerCase());
  const cluster = named?.id ?? parseNumber(c, 0xffff_ffff, "cluster");
  let attribute: number | undefined;
  if (named !== undefined) {
    attribute = Object.entries(named.attributes).find(([k]) => k.toLowerCase() === a.toLowerCase())?.[1];
  }
  attribute ??= parseNumber(a, 0xffff_ffff, "attribute", named === undefined ? [] : Object.keys(named.attributes));
  return { endpoint, cluster, attribute };
}

function parseNumber(text: string, max: number, what: string, names: readonly string[] = []): number {
  const v = /^0x[0-9a-f]+$/i.test(text)
    ? Number.parseInt(text.slice(2), 16)
    : /^[0-9]+$/.test(text)
      ? Number(text)
      : NaN;
  if (!Number.isSafeInteger(v) || v > max) {
    const choices =
      names.length > 0
        ? ` (one of: ${names.join(", ")})`
        : what === "cluster"
          ? ` (or one of: ${[...CLUSTERS.keys()].join(", ")})`
          : "";
    throw new MalformedError(
      "admin.attribute-path",
      `${what} ${JSON.stringify(text)} is not a number up to 0x${max.toString(16)}${choices}`,
      {
        path: "attribute path",
      },
    );
  }
  return v;
}
