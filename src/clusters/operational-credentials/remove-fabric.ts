/**
 * RemoveFabric (0x0A) → NOCResponse (Core spec 11.18.6.12; conformance §1.7) and the fabric deletion it shares with
 * fail-safe expiry (§2 step 4): the fabric, its operational key, ACL entries and group data (IPK included) go in one
 * storage transaction; the Leave event is recorded before; every per-fabric store reacts to the table's `removed`. Sessions end after the response (an `afterResponse` effect).
 *
 * Over PASE (issue 11 item 4, decided by following the SDK): a PASE session is an implicit administrator of the whole
 * node (access/AccessControl.cpp: "PASE implies commissioning, which has highest privilege"), and the SDK's
 * RemoveFabric handler (operational-credentials-server.cpp) has no PASE-specific check, so a PASE session may remove
 * any fabric, the one whose administrator opened the window included. Whoever holds the window's passcode is trusted
 * by the administrator who opened it; restricting it here would make us refuse what every SDK device accepts.
 *
 * ```
 * RemoveFabric ::= STRUCTURE { FabricIndex [0] : fabric-idx }
 * ```
 */

import { type FabricIndex, isFabricIndex } from "../../fabric/fabric-index.ts";
import { ImStatus } from "../../fabric/status-codes.ts";
import type { CommandDefinition } from "../../im/data-model.ts";
import { type TlvType, tlvField, tlvStruct, tlvUInt8 } from "../../tlv/tlv-schema.ts";
import { NOC_RESPONSE, type NocResponse, nocResponse, nocResultFromError } from "./noc-response.ts";
import { NodeOperationalCertStatus } from "./node-operational-cert-status.ts";
import {
  OperationalCredentialsCluster,
  type OperationalCredentialsEnv,
  reportFabricAttributes,
} from "./operational-credentials-options.ts";

/** RemoveFabric schema (the range is checked by the handler: 0 and 255 are INVALID_COMMAND). */
export const RemoveFabricRequest = tlvStruct({ fabricIndex: tlvField(0, tlvUInt8) });
export type RemoveFabricRequest = TlvType<typeof RemoveFabricRequest>;

/**
 * Deletes fabric `index` with everything attached to it: a committed fabric's record, key, ACL entries, group data and
 * resumption records go in one storage transaction (the stores take part as lifecycle participants); a pending added
 * fabric is reverted in memory (nothing of it was written). An unknown index (a pending add the fail-safe already
 * reverted, §2 step 4) changes nothing.
 */
export async function deleteFabric(env: Pick<OperationalCredentialsEnv, "fabrics" | "changes">, index: FabricIndex) {
  if (env.fabrics.fabric(index) === undefined) return;
  await env.fabrics.remove(index);
  reportFabricAttributes(env);
}

/** The RemoveFabric command. */
export function removeFabricCommand(
  env: OperationalCredentialsEnv,
): CommandDefinition<RemoveFabricRequest, NocResponse> {
  return OperationalCredentialsCluster.command("RemoveFabric", "A", {
    requestSchema: RemoveFabricRequest,
    response: NOC_RESPONSE,
    // Any admin may remove any fabric (TC_OPCREDS_3_1 steps 76-77), a PASE session (implicit admin) included.
    handler: async (req) => {
      const index = req.fabricIndex;
      // §1.7 step 1 (§6 item 22): FabricIndex 0 or 255 → INVALID_COMMAND, not InvalidFabricIndex.
      if (!isFabricIndex(index)) return { status: ImStatus.INVALID_COMMAND };
      // §1.7 step 2: no such fabric → NOCResponse(InvalidFabricIndex), without FabricIndex (TC_OPCREDS_3_1 step 73).
      if (env.fabrics.fabric(index) === undefined)
        return nocResponse(NodeOperationalCertStatus.InvalidFabricIndex, undefined, `no fabric ${index}`);
      // §6 item 19: the BasicInformation Leave event is recorded BEFORE the removal, and flushed urgently.
      env.recordLeaveEvent?.(index);
      try {
        await deleteFabric(env, index);
      } catch (e) {
        // §1.7 step 3: an internal failure → that error as a status.
        return nocResultFromError(e);
      }
      // §1.7 step 4 (§6 item 10): NOCResponse(OK, FabricIndex = removed). Removing the own fabric: the response goes
      // out, then every session of the fabric ends; another fabric's sessions end at once (same effect, run now).
      return {
        ...nocResponse(NodeOperationalCertStatus.OK, index),
        afterResponse: [
          { type: "flush-urgent-events" },
          { type: "expire-fabric-sessions", fabricIndex: index },
          { type: "restart-operational-advertising" },
        ],
      };
    },
  });
}
