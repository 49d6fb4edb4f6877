/**
 * The IM's access check (Core 6.6.6) wired to the fabric layer's ACL store: turns the accessing session into a subject
 * descriptor (Core 6.6.2.9: PASE is the implicit Administer subject) and the path into a request.
 */
import { type AccessControlStore, AUTH_MODE } from "../fabric/access-control.ts";
import type { AccessChecker } from "./data-model.ts";

/** An AccessChecker over `acl`; `deviceTypesOf` lists the device types of an endpoint (for device-type targets). */
export function aclAccessChecker(
  acl: AccessControlStore,
  deviceTypesOf: (endpoint: number) => readonly number[] = () => [],
): AccessChecker {
  return (session, target, privilege) =>
    acl.checkAccess(
      {
        authMode: session.kind === "pase" ? AUTH_MODE.pase : AUTH_MODE.case,
        fabricIndex: session.fabricIndex,
        subjectNodeId: session.subjectNodeId,
        cats: session.cats,
        isPase: session.kind === "pase",
      },
      { endpoint: target.endpoint, cluster: target.cluster, deviceTypes: deviceTypesOf(target.endpoint) },
      privilege,
    );
}
