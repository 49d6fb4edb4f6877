/**
 * `ENDPOINT/CLUSTER/ATTRIBUTE` as a user types it: numbers (decimal or 0x hex) or, for the clusters this project
 * implements, their spec names (`0/BasicInformation/VendorID`, `1/OnOff/OnOff`; case-insensitive).
 */
import { MalformedError } from "../bytes/errors.ts";
import { AccessControlCluster } from "../clusters/access-control/access-control.ts";
import { AdministratorCommissioningCluster } from "../clusters/administrator-commissioning/administrator-commissioning.ts";
import { BasicInformationCluster } from "../clusters/basic-information/basic-information.ts";
import { DescriptorCluster } from "../clusters/descriptor/descriptor.ts";
import { GeneralCommissioningCluster } from "../clusters/general-commissioning/general-commissioning.ts";
import { GeneralDiagnosticsCluster } from "../clusters/general-diagnostics/general-diagnostics.ts";
import { GroupKeyManagementCluster } from "../clusters/group-key-management/group-key-management.ts";
import { GroupsCluster } from "../clusters/groups/groups.ts";
import { IdentifyCluster } from "../clusters/identify/identify.ts";
import { NetworkCommissioningCluster } from "../clusters/network-commissioning/network-commissioning.ts";
import { OnOffCluster } from "../clusters/on-off/on-off-options.ts";
import { OperationalCredentialsCluster } from "../clusters/operational-credentials/operational-credentials-options.ts";
import { ScenesManagementCluster } from "../clusters/scenes-management/scenes-management-commands.ts";

/** A concrete attribute path. */
export type AttributePath = { readonly endpoint: number; readonly cluster: number; readonly attribute: number };

/** The clusters known by name: id and attribute ids by spec name, keyed by the cluster's spec name in lower case. */
const CLUSTERS: ReadonlyMap<string, { id: number; attributes: Readonly<Record<string, number>> }> = new Map(
  [
    IdentifyCluster,
    GroupsCluster,
    OnOffCluster,
    DescriptorCluster,
    AccessControlCluster,
    BasicInformationCluster,
    GeneralCommissioningCluster,
    NetworkCommissioningCluster,
    GeneralDiagnosticsCluster,
    AdministratorCommissioningCluster,
    OperationalCredentialsCluster,
    GroupKeyManagementCluster,
    ScenesManagementCluster,
  ].map((c) => [c.name.toLowerCase(), c]),
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
