/**
 * UpdateNOC (0x07) → NOCResponse (Core spec 11.18.6.9; conformance §1.5), fabric-scoped: replaces the accessing
 * fabric's NOC/ICAC and operational key with a pending update, validated against the fabric's existing root. The
 * node id may change, the fabric id may not. After the response, every other session of the fabric is aborted.
 *
 * ```
 * UpdateNOC ::= STRUCTURE { NOCValue [0] : octstr (max 400), ICACValue [1, optional] : octstr (max 400) }
 *   -- NOC_CHAIN_FIELDS (noc-request.ts)
 * ```
 */

import type { FabricIndex } from "../../fabric/fabric-index.ts";
import { ImStatus } from "../../fabric/status-codes.ts";
import type { CommandDefinition } from "../../im/data-model.ts";
import { type TlvType, tlvStruct } from "../../tlv/tlv-schema.ts";
import { decodeIncomingNoc, validateIncomingNocChain } from "./noc-chain.ts";
import { NOC_CHAIN_FIELDS, nocFailSafeRefusal, receivedNocChain } from "./noc-request.ts";
import { NOC_RESPONSE, type NocResponse, nocResponse, nocResultFromError } from "./noc-response.ts";
import { NodeOperationalCertStatus } from "./node-operational-cert-status.ts";
import {
  OperationalCredentialsCluster,
  type OperationalCredentialsEnv,
  reportFabricAttributes,
} from "./operational-credentials-options.ts";

/** UpdateNOC schema (sizes are checked by the handler). */
export const UpdateNocRequest = tlvStruct(NOC_CHAIN_FIELDS);
export type UpdateNocRequest = TlvType<typeof UpdateNocRequest>;

/** The UpdateNOC command. */
export function updateNocCommand(env: OperationalCredentialsEnv): CommandDefinition<UpdateNocRequest, NocResponse> {
  return OperationalCredentialsCluster.command("UpdateNOC", "F A", {
    requestSchema: UpdateNocRequest,
    response: NOC_RESPONSE,
    // §1.5 step 0: over PASE without a fabric the dispatcher answers UNSUPPORTED_ACCESS (TC_OPCREDS_3_4 step 26).
    handler: async (req, ctx) => {
      const { failSafe, fabrics } = env;
      const accessing = ctx.session.fabricIndex as FabricIndex;
      // §1.5 step 1: NOCValue or ICACValue > 400 → INVALID_COMMAND.
      const chain = receivedNocChain(req);
      if (chain === undefined) return { status: ImStatus.INVALID_COMMAND };
      // §1.5 steps 2-5: armed for the accessing fabric (TC_OPCREDS_3_4 step 4), no NOC command yet, a pending key
      // requested for UpdateNOC.
      const refusal = nocFailSafeRefusal(env, accessing, "update");
      if (refusal !== undefined) return refusal;
      // §1.5 step 6: no current fabric (unreachable behind the fabric-scoped check, kept as the SDK has it).
      const current = fabrics.committedFabric(accessing);
      if (current === undefined)
        return nocResponse(NodeOperationalCertStatus.InvalidNOC, undefined, "no committed fabric to update");
      // §1.5 step 7: a pending root (AddTrustedRootCertificate in this fail-safe) → MissingCsr (TC_OPCREDS_3_4 step 20;
      // [DIFF] the plan text says CONSTRAINT_ERROR, the script and the SDK give MissingCsr: we follow the SDK).
      if (env.transaction.pendingState().hasPendingRoot)
        return nocResponse(NodeOperationalCertStatus.MissingCsr, undefined, "a new trusted root is pending");
      try {
        const install = decodeIncomingNoc(chain.noc, chain.icac);
        // §1.5 step 7: same fabric id (InvalidFabricIndex, SDK), chain against the fabric's existing root (InvalidNOC), node id
        // (InvalidNodeOpId), pending key (InvalidPublicKey). On error only the pending NOC is dropped (nothing was set).
        env.transaction.updatePendingFabric(accessing, install, () =>
          validateIncomingNocChain(
            env.crypto,
            { noc: chain.noc, icac: chain.icac, rcac: current.rcac },
            env.validationOptions ?? {},
          ),
        );
      } catch (e) {
        const key = env.transaction.pendingOperationalKey;
        if (key !== undefined) env.failedUpdateKeys.add(key);
        return nocResultFromError(e);
      }
      // §1.5 step 8: the fail-safe records the update; reads show the pending NOC/ICAC (TC_OPCREDS_3_5 step 8).
      failSafe.recordUpdateNoc();
      reportFabricAttributes(env);
      return {
        ...nocResponse(NodeOperationalCertStatus.OK, accessing),
        // §6 item 5: after the response every other session/exchange of the fabric is aborted; DNS-SD restarts.
        afterResponse: [
          { type: "abort-other-fabric-communication", fabricIndex: accessing, keepSessionId: ctx.session.id },
          { type: "restart-operational-advertising" },
        ],
      };
    },
  });
}
