/**
 * AddTrustedRootCertificate (0x0B) → status (Core spec 11.18.6.13; conformance §1.8): validates an RCAC as the SDK's
 * ValidateChipRCAC does and records it as the fail-safe's pending root; visible in TrustedRootCertificates until
 * AddNOC binds it or the fail-safe expires.
 *
 * ```
 * AddTrustedRootCertificate ::= STRUCTURE { RootCACertificate [0] : octstr (max 400) }
 * ```
 */
import { MalformedError, ValidationError } from "../../bytes/errors.ts";
import type { MatterCert } from "../../cert/matter-cert.ts";
import { validateRcac } from "../../cert/validate.ts";
import { ImStatus } from "../../fabric/status-codes.ts";
import type { CommandDefinition } from "../../im/data-model.ts";
import { type TlvType, tlvBytes, tlvField, tlvStruct } from "../../tlv/tlv-schema.ts";
import { statusResultFromError } from "./noc-response.ts";
import { MAX_CERT_TLV_BYTES } from "./operational-credentials-limits.ts";
import { OperationalCredentialsCluster, type OperationalCredentialsEnv } from "./operational-credentials-options.ts";

/** AddTrustedRootCertificate schema (the size is checked by the handler, §1.8 step 1). */
export const AddTrustedRootCertificateRequest = tlvStruct({ rootCaCertificate: tlvField(0, tlvBytes()) });
export type AddTrustedRootCertificateRequest = TlvType<typeof AddTrustedRootCertificateRequest>;

/** The AddTrustedRootCertificate command. */
export function addTrustedRootCertificateCommand(
  env: OperationalCredentialsEnv,
): CommandDefinition<AddTrustedRootCertificateRequest, never> {
  return OperationalCredentialsCluster.command("AddTrustedRootCertificate", "A", {
    requestSchema: AddTrustedRootCertificateRequest,
    handler: async (req, ctx) => {
      const { failSafe } = env;
      const rcacBytes = req.rootCaCertificate;
      // §1.8 step 1: RootCACertificate.size > 400 → INVALID_COMMAND.
      if (rcacBytes.length > MAX_CERT_TLV_BYTES) return { status: ImStatus.INVALID_COMMAND };
      // §1.8 step 2: the fail-safe must be armed for the accessing fabric.
      if (!failSafe.isArmedFor(ctx.session.fabricIndex)) return { status: ImStatus.FAILSAFE_REQUIRED };
      // §1.8 step 3: at most one root per fail-safe. [DIFF] Re-adding the identical root is CONSTRAINT_ERROR too, as
      // in the SDK (TC_OPCREDS_3_1 step 16 is disabled upstream, SDK issue #30798); we follow the SDK.
      if (failSafe.addTrustedRootInvoked) return { status: ImStatus.CONSTRAINT_ERROR };
      // §1.8 step 4: AddNOC or UpdateNOC already succeeded in this fail-safe.
      if (failSafe.nocInvoked) return { status: ImStatus.CONSTRAINT_ERROR };
      let rcac: MatterCert;
      try {
        // §1.8 step 5: decode, type, self-issued, AKID == SKID, CA, pathLen <= 1, keyCertSign, self-signature.
        // Time validity is not checked.
        rcac = validateRcac(rcacBytes, env.validationOptions ?? {}, env.crypto);
      } catch (e) {
        if (e instanceof MalformedError || e instanceof ValidationError) return { status: ImStatus.INVALID_COMMAND };
        throw e;
      }
      // Adapter (see OperationalCredentialsEnv.failedUpdateKeys): after a failed UpdateNOC the SDK no longer holds a
      // pending fabric index, so the root is accepted; here the stale update key is dropped to free the table. The
      // following UpdateNOC then answers MissingCsr, as the SDK does (TC_OPCREDS_3_4 step 20).
      const stale = env.transaction.pendingOperationalKey;
      if (
        stale !== undefined &&
        env.failedUpdateKeys.has(stale) &&
        env.transaction.pendingState().pendingFabric === undefined
      )
        env.transaction.revert();
      try {
        // §1.8 steps 6-7: no free index → RESOURCE_EXHAUSTED; a conflicting pending state (e.g. a CSR for UpdateNOC,
        // TC_OPCREDS_3_1 steps 68-70) → FAILURE.
        env.transaction.addPendingRoot(rcac.raw, rcac.publicKey);
      } catch (e) {
        return statusResultFromError(e);
      }
      // §1.8 step 8: the pending root shows in TrustedRootCertificates (TC_OPCREDS_3_1 step 15).
      failSafe.recordAddTrustedRoot();
      env.changes.emit(OperationalCredentialsCluster.attributes.TrustedRootCertificates);
      return { status: ImStatus.SUCCESS };
    },
  });
}
