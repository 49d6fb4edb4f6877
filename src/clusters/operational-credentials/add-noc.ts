/**
 * AddNOC (0x06) → NOCResponse (Core spec 11.18.6.8; conformance §1.4): installs a new pending fabric from the NOC chain
 * under the fail-safe's pending root and pending key, with its IPK, an Administer ACL entry, the PASE session adopting
 * the new index, and the fail-safe moved to it. Every check in the SDK's order (§6 item 1). All of it is pending state
 * of the commissioning transaction: nothing is written before CommissioningComplete.
 *
 * ```
 * AddNOC ::= STRUCTURE {
 *   NOCValue         [0] : octstr (max 400)             -- NOC_CHAIN_FIELDS (noc-request.ts)
 *   ICACValue        [1, optional] : octstr (max 400)
 *   IPKValue         [2] : octstr (16)
 *   CaseAdminSubject [3] : subject-id
 *   AdminVendorId    [4] : vendor-id
 * }
 * ```
 */
import { isCatSubject, isOperationalNodeId } from "../../cert/operational-ids.ts";
import {
  type AccessControlEntry,
  AUTH_MODE,
  Privilege,
  validateAccessControlEntry,
} from "../../fabric/access-control.ts";
import type { FabricIndex } from "../../fabric/fabric-index.ts";
import { isOperationalVendorId } from "../../fabric/fabric-record.ts";
import { ImStatus } from "../../fabric/status-codes.ts";
import type { CommandDefinition } from "../../im/data-model.ts";
import { type TlvType, tlvBytes, tlvField, tlvStruct, tlvUInt16, tlvUInt64 } from "../../tlv/tlv-schema.ts";
import { decodeIncomingNoc, validateIncomingNocChain } from "./noc-chain.ts";
import { NOC_CHAIN_FIELDS, nocFailSafeRefusal, receivedNocChain } from "./noc-request.ts";
import { NOC_RESPONSE, type NocResponse, nocResponse, nocResultFromError } from "./noc-response.ts";
import { NodeOperationalCertStatus } from "./node-operational-cert-status.ts";
import { IPK_BYTES } from "./operational-credentials-limits.ts";
import {
  OperationalCredentialsCluster,
  type OperationalCredentialsEnv,
  reportFabricAttributes,
} from "./operational-credentials-options.ts";
import { pendingRootCertificate } from "./pending-root.ts";

/** AddNOC schema (sizes are checked by the handler in the SDK order; a decode failure is INVALID_COMMAND too). */
export const AddNocRequest = tlvStruct({
  ...NOC_CHAIN_FIELDS,
  ipkValue: tlvField(2, tlvBytes()),
  caseAdminSubject: tlvField(3, tlvUInt64),
  adminVendorId: tlvField(4, tlvUInt16),
});
export type AddNocRequest = TlvType<typeof AddNocRequest>;

/** True when `subject` may be a CaseAdminSubject: an operational node id or in the CAT range (range only, §1.4 step 11). */
function isValidCaseAdminSubject(subject: bigint): boolean {
  return isOperationalNodeId(subject) || isCatSubject(subject);
}

/** The AddNOC command. */
export function addNocCommand(env: OperationalCredentialsEnv): CommandDefinition<AddNocRequest, NocResponse> {
  return OperationalCredentialsCluster.command("AddNOC", "A", {
    requestSchema: AddNocRequest,
    response: NOC_RESPONSE,
    handler: async (req, ctx) => {
      const { failSafe, fabrics, groupKeys, acl } = env;
      // §1.4 steps 1-4: NOC > 400, ICAC > 400, IPK != 16 bytes, AdminVendorId not operational → INVALID_COMMAND.
      const chain = receivedNocChain(req);
      if (chain === undefined) return { status: ImStatus.INVALID_COMMAND };
      if (req.ipkValue.length !== IPK_BYTES) return { status: ImStatus.INVALID_COMMAND };
      if (!isOperationalVendorId(req.adminVendorId)) return { status: ImStatus.INVALID_COMMAND };
      // §1.4 steps 5-8: armed for the accessing fabric, no NOC command yet, a pending key requested for AddNOC.
      const refusal = nocFailSafeRefusal(env, ctx.session.fabricIndex, "add");
      if (refusal !== undefined) return refusal;
      // §1.4 step 10: AddTrustedRootCertificate not invoked in this fail-safe → InvalidNOC.
      const rcac = pendingRootCertificate(env.transaction);
      if (!failSafe.addTrustedRootInvoked || rcac === undefined)
        return nocResponse(NodeOperationalCertStatus.InvalidNOC, undefined, "no trusted root in this fail-safe");
      // §1.4 step 11: CaseAdminSubject neither an operational node id nor in the CAT range.
      if (!isValidCaseAdminSubject(req.caseAdminSubject))
        return nocResponse(NodeOperationalCertStatus.InvalidAdminSubject, undefined, "invalid CaseAdminSubject");
      // §1.4 step 13, first table checks: no free index → TableFull, before the NOC is even decoded.
      if (fabrics.committedIndices().length >= fabrics.supportedFabrics)
        return nocResponse(NodeOperationalCertStatus.TableFull, undefined, "the fabric table is full");

      const { transaction } = env;
      let index: FabricIndex;
      try {
        const install = decodeIncomingNoc(chain.noc, chain.icac);
        // §1.4 step 13 in the table: MissingCsr / TableFull / FabricConflict, then the chain (InvalidNOC), then the
        // node id (InvalidNodeOpId) and the public key (InvalidPublicKey). On error nothing is pending, root and key
        // stay for a retry (§6 item 8). On success the ACL and group keys stage the new fabric in memory.
        index = transaction.addPendingFabric({ ...install, vendorId: req.adminVendorId }, () =>
          validateIncomingNocChain(
            env.crypto,
            { noc: chain.noc, icac: chain.icac, rcac: rcac.raw },
            env.validationOptions ?? {},
          ),
        );
      } catch (e) {
        return nocResultFromError(e);
      }
      // Everything from here on is in memory (the transaction's pending fabric), but the Access Control hook is async: the fail-safe
      // may end while it runs. Each await is followed by a check of the armed period this command started under.
      const token = transaction.token();

      const adminEntry: AccessControlEntry = {
        fabricIndex: index,
        privilege: Privilege.Administer,
        authMode: AUTH_MODE.case,
        subjects: [req.caseAdminSubject],
        targets: null,
      };
      /** §1.4 "on any failure after step 13": revert the NOC/ICAC (root and key stay) with its pending IPK and ACL. */
      const undo = (): void => {
        if (ctx.session.kind === "pase") env.adoptFabric?.(ctx.session.id, 0 as FabricIndex);
        // After the fail-safe ended, its revert already dropped everything pending; a new armed period is not ours.
        if (transaction.isCurrent(token)) transaction.revertPendingNoc();
      };
      try {
        // A CAT subject with version 0 passes step 11 (range only) but no ACL entry can hold it; the SDK outcome is
        // unverified ("probably InvalidNOC", conformance §1.4 step 11), so we answer InvalidNOC before any effect.
        validateAccessControlEntry(adminEntry);
      } catch {
        undo();
        return nocResponse(
          NodeOperationalCertStatus.InvalidNOC,
          undefined,
          "CaseAdminSubject cannot be an ACL subject",
        );
      }
      try {
        // §1.4 step 14: IPK as key set 0 (TrustFirst, one epoch key, start 0) in the pending group data; CASE derives it
        // with the compressed fabric id (§6 item 18).
        await groupKeys.setIpk(index, req.ipkValue);
        transaction.requireCurrent(token);
        // §1.4 step 15: over PASE the session adopts the new fabric index (§6 item 4); over CASE it does not.
        if (ctx.session.kind === "pase") env.adoptFabric?.(ctx.session.id, index);
        // §1.4 step 16: {Administer, CASE, [CaseAdminSubject]}, created after the adoption, through the Access Control
        // cluster as the SDK does (AccessControlEntryChanged with AdminPasscodeID 0 over PASE; TC-ACL-2.6), into the
        // pending ACL: access checks over the new fabric's CASE session see it before CommissioningComplete.
        if (env.addAdminEntry !== undefined) await env.addAdminEntry(adminEntry, ctx.session, ctx.now);
        else await acl.addEntry(adminEntry);
        transaction.requireCurrent(token);
        // §1.4 step 17: the fail-safe moves to the new index (§6 item 3); refused on a disarmed fail-safe.
        failSafe.recordAddNoc(index);
      } catch (e) {
        undo();
        return nocResultFromError(e);
      }
      reportFabricAttributes(env);
      // §1.4 steps 18-19: the new operational identity is advertised; NOCResponse(OK, FabricIndex = new).
      return {
        ...nocResponse(NodeOperationalCertStatus.OK, index),
        afterResponse: [{ type: "restart-operational-advertising" }],
      };
    },
  });
}
