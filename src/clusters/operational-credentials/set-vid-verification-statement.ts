/**
 * SetVIDVerificationStatement (0x0C) → status (Core spec 11.18.6.14, Matter 1.4.2; conformance §1.9), fabric-scoped:
 * sets the accessing fabric's VendorID, VID Verification Statement and VVSC. Contents are not validated. Immediate,
 * unless the fabric is pending (AddNOC/UpdateNOC in this fail-safe): then committed or reverted with it.
 *
 * ```
 * SetVIDVerificationStatement ::= STRUCTURE {
 *   VendorID                 [0, optional] : vendor-id
 *   VIDVerificationStatement [1, optional] : octstr (0 or 85)
 *   VVSC                     [2, optional] : octstr (max 400)
 * }
 * ```
 */

import type { FabricIndex } from "../../fabric/fabric-index.ts";
import { ImStatus } from "../../fabric/status-codes.ts";
import type { CommandDefinition } from "../../im/data-model.ts";
import { type TlvType, tlvBytes, tlvOptionalField, tlvStruct, tlvUInt16 } from "../../tlv/tlv-schema.ts";
import { statusResultFromError } from "./noc-response.ts";
import { OperationalCredentialsCluster, type OperationalCredentialsEnv } from "./operational-credentials-options.ts";

/** SetVIDVerificationStatement schema (lengths are checked by the fabric table: CONSTRAINT_ERROR, not a decode error). */
export const SetVidVerificationStatementRequest = tlvStruct({
  vendorId: tlvOptionalField(0, tlvUInt16),
  vidVerificationStatement: tlvOptionalField(1, tlvBytes()),
  vvsc: tlvOptionalField(2, tlvBytes()),
});
export type SetVidVerificationStatementRequest = TlvType<typeof SetVidVerificationStatementRequest>;

/** The SetVIDVerificationStatement command. */
export function setVidVerificationStatementCommand(
  env: OperationalCredentialsEnv,
): CommandDefinition<SetVidVerificationStatementRequest, never> {
  // §1.9 step 0: over PASE without a fabric → UNSUPPORTED_ACCESS (the dispatcher, from the access "F A").
  return OperationalCredentialsCluster.command("SetVIDVerificationStatement", "F A", {
    requestSchema: SetVidVerificationStatementRequest,
    handler: async (req, ctx) => {
      const accessing = ctx.session.fabricIndex as FabricIndex;
      const { vendorId, vidVerificationStatement, vvsc } = req;
      // §1.9 step 1: no field at all → INVALID_COMMAND (TC_OPCREDS_3_8 step 6).
      if (vendorId === undefined && vidVerificationStatement === undefined && vvsc === undefined)
        return { status: ImStatus.INVALID_COMMAND };
      // The armed period this command started under (the pending copy it may change belongs to it).
      const token = env.transaction.token();
      try {
        // §1.9 steps 2-3 (§6 items 12, 13): VendorID not operational → CONSTRAINT_ERROR; VVS not 0/85 bytes and
        // VVSC > 400 → CONSTRAINT_ERROR; a VVSC on a chain with an ICAC → INVALID_COMMAND.
        await env.fabrics.setVidVerificationStatement(accessing, {
          ...(vendorId !== undefined ? { vendorId } : {}),
          ...(vidVerificationStatement !== undefined ? { vidVerificationStatement } : {}),
          ...(vvsc !== undefined ? { vvsc } : {}),
        });
      } catch (e) {
        return statusResultFromError(e);
      }
      // §1.9: the fail-safe remembers it so that its expiry reports Fabrics once more.
      if (env.transaction.isCurrent(token) && env.failSafe.isArmedFor(accessing))
        env.failSafe.recordSetVidVerificationStatement();
      env.changes.emit(OperationalCredentialsCluster.attributes.Fabrics);
      env.changes.emit(OperationalCredentialsCluster.attributes.NOCs);
      return { status: ImStatus.SUCCESS };
    },
  });
}
