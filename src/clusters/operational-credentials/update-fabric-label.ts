/**
 * UpdateFabricLabel (0x09) → NOCResponse (Core spec 11.18.6.11; conformance §1.6), fabric-scoped: sets the accessing
 * fabric's label; no fail-safe needed. A pending fabric gets it in its pending copy (lost if reverted).
 *
 * ```
 * UpdateFabricLabel ::= STRUCTURE { Label [0] : string (max 32) }
 * ```
 */
import { ProtocolError } from "../../bytes/errors.ts";
import type { FabricIndex } from "../../fabric/fabric-index.ts";
import { labelBytes } from "../../fabric/fabric-record.ts";
import { ImStatus } from "../../fabric/status-codes.ts";
import type { CommandDefinition } from "../../im/data-model.ts";
import { type TlvType, tlvField, tlvString, tlvStruct } from "../../tlv/tlv-schema.ts";
import { NOC_RESPONSE, type NocResponse, nocResponse, nocResultFromError } from "./noc-response.ts";
import { NodeOperationalCertStatus } from "./node-operational-cert-status.ts";
import { MAX_FABRIC_LABEL_BYTES } from "./operational-credentials-limits.ts";
import { OperationalCredentialsCluster, type OperationalCredentialsEnv } from "./operational-credentials-options.ts";

/** UpdateFabricLabel schema (the length is checked by the handler). */
export const UpdateFabricLabelRequest = tlvStruct({ label: tlvField(0, tlvString()) });
export type UpdateFabricLabelRequest = TlvType<typeof UpdateFabricLabelRequest>;

/** The UpdateFabricLabel command. */
export function updateFabricLabelCommand(
  env: OperationalCredentialsEnv,
): CommandDefinition<UpdateFabricLabelRequest, NocResponse> {
  return OperationalCredentialsCluster.command("UpdateFabricLabel", "F A", {
    requestSchema: UpdateFabricLabelRequest,
    response: NOC_RESPONSE,
    // §1.6 step 1: over PASE without a fabric → UNSUPPORTED_ACCESS (the dispatcher).
    handler: async (req, ctx) => {
      const accessing = ctx.session.fabricIndex as FabricIndex;
      // §1.6 step 2: [DIFF] Label > 32 bytes → INVALID_COMMAND as in the SDK (a TODO there suggests CONSTRAINT_ERROR).
      if (labelBytes(req.label) > MAX_FABRIC_LABEL_BYTES) return { status: ImStatus.INVALID_COMMAND };
      try {
        // §1.6 step 3: another fabric with exactly this label (bytes, "" included) → LabelConflict (TC_OPCREDS_3_1 step 47).
        await env.fabrics.setLabel(accessing, req.label);
      } catch (e) {
        if (e instanceof ProtocolError && e.clusterStatus === NodeOperationalCertStatus.LabelConflict)
          return nocResponse(NodeOperationalCertStatus.LabelConflict);
        return nocResultFromError(e);
      }
      // §1.6 step 4: NOCResponse(OK, FabricIndex = accessing). The table's change event reports Fabrics.
      return nocResponse(NodeOperationalCertStatus.OK, accessing);
    },
  });
}
