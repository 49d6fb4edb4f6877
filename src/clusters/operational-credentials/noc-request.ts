/**
 * What AddNOC (Core spec 11.18.6.8; conformance §1.4) and UpdateNOC (11.18.6.9; §1.5) share before the chain is
 * decoded: the NOCValue and ICACValue fields, their size limit, and the fail-safe checks both make in the SDK's order.
 *
 * ```
 * NOCValue  [0] : octstr (max 400)
 * ICACValue [1, optional] : octstr (max 400)   -- an empty octet string counts as absent
 * ```
 */
import { ImStatus } from "../../fabric/status-codes.ts";
import type { CommandResult } from "../../im/data-model.ts";
import { tlvBytes, tlvField, tlvOptionalField } from "../../tlv/tlv-schema.ts";
import { type NocResponse, nocResponse } from "./noc-response.ts";
import { NodeOperationalCertStatus } from "./node-operational-cert-status.ts";
import { MAX_CERT_TLV_BYTES } from "./operational-credentials-limits.ts";
import type { OperationalCredentialsEnv } from "./operational-credentials-options.ts";

/** The NOCValue and ICACValue fields both requests start with (sizes are checked by the handler, in the SDK order). */
export const NOC_CHAIN_FIELDS = {
  nocValue: tlvField(0, tlvBytes()),
  icacValue: tlvOptionalField(1, tlvBytes()),
};

/** The NOC and ICAC a request carries; `icac` is null when absent. */
export type ReceivedNocChain = { readonly noc: Uint8Array; readonly icac: Uint8Array | null };

/**
 * The chain of an AddNOC or UpdateNOC request, or undefined when NOCValue or ICACValue is over 400 bytes
 * (INVALID_COMMAND: AddNOC §1.4 steps 1-2, UpdateNOC §1.5 step 1).
 */
export function receivedNocChain(req: {
  readonly nocValue: Uint8Array;
  readonly icacValue?: Uint8Array | undefined;
}): ReceivedNocChain | undefined {
  // An empty ICACValue is treated as absent (SDK: `icac.empty()` means no ICAC).
  const icac = req.icacValue !== undefined && req.icacValue.length > 0 ? req.icacValue : null;
  if (req.nocValue.length > MAX_CERT_TLV_BYTES) return undefined;
  if (icac !== null && icac.length > MAX_CERT_TLV_BYTES) return undefined;
  return { noc: req.nocValue, icac };
}

/**
 * The answer when the fail-safe does not allow this NOC command, or undefined to go on. AddNOC §1.4 steps 5-8 and
 * UpdateNOC §1.5 steps 2-5, in this order: the fail-safe armed for the accessing fabric, no AddNOC/UpdateNOC yet in it,
 * a pending operational key (CSRRequest), and that key requested for this command. The key's own purpose decides, as
 * in the SDK (HasPendingOperationalKey), not the fail-safe's record of the last CSRRequest: a later CSRRequest that
 * failed validation records its flag (§6 item 2) but leaves the pending key, and its purpose, unchanged.
 */
export function nocFailSafeRefusal(
  env: Pick<OperationalCredentialsEnv, "failSafe" | "transaction">,
  accessingFabricIndex: number,
  command: "add" | "update",
): CommandResult<NocResponse> | undefined {
  if (!env.failSafe.isArmedFor(accessingFabricIndex)) return { status: ImStatus.FAILSAFE_REQUIRED };
  // AddNOC or UpdateNOC already succeeded in this fail-safe (TC_OPCREDS_3_1 step 25).
  if (env.failSafe.nocInvoked) return { status: ImStatus.CONSTRAINT_ERROR };
  // No CSRRequest in this fail-safe → MissingCsr (TC_OPCREDS_3_1 step 51, TC_OPCREDS_3_4 step 6).
  if (env.transaction.pendingOperationalKey === undefined)
    return nocResponse(NodeOperationalCertStatus.MissingCsr, undefined, "no CSRRequest in this fail-safe");
  // The pending key was requested for the other command (TC_OPCREDS_3_4 step 9).
  const isForUpdate = env.transaction.pendingState().pendingKeyFor === "update";
  if (isForUpdate !== (command === "update")) return { status: ImStatus.CONSTRAINT_ERROR };
  return undefined;
}
