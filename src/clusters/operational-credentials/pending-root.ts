/**
 * Adapter over the fabric table for the pending trusted root (conformance §1.8): the table keeps the root
 * AddTrustedRootCertificate recorded but exposes it only as the last entry of `trustedRoots()` while it is not bound
 * to a fabric. AddNOC needs its bytes to validate the incoming chain against it.
 */
import { MalformedError } from "../../bytes/errors.ts";
import type { MatterCert } from "../../cert/matter-cert.ts";
import { decodeMatterCert } from "../../cert/matter-cert-decode.ts";
import type { FabricTable } from "../../fabric/fabric-table.ts";

/** The pending root recorded in this fail-safe and not yet bound by AddNOC, or undefined. */
export function pendingRootCertificate(fabrics: FabricTable): MatterCert | undefined {
  const state = fabrics.pendingState();
  if (!state.hasPendingRoot || state.pendingFabric === "add") return undefined;
  const raw = fabrics.trustedRoots().at(-1);
  if (raw === undefined) return undefined;
  try {
    return decodeMatterCert(raw);
  } catch (e) {
    // The root was validated before the table took it; failing to decode it now is storage corruption.
    if (e instanceof MalformedError) return undefined;
    throw e;
  }
}
