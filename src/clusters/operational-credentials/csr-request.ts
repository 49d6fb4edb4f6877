/**
 * CSRRequest (0x04) → CSRResponse (0x05) (Core spec 11.18.6.5-6; conformance §1.3, §3.1): generates a fresh operational
 * key pending for the accessing fabric (IsForUpdateNOC) or the next free index, and returns its PKCS#10 CSR in NOCSR
 * Elements, signed with the DAC key together with the session's attestation challenge.
 *
 * ```
 * CSRRequest  ::= STRUCTURE { CSRNonce [0] : octstr (32), IsForUpdateNOC [1, optional] : bool (default false) }
 * CSRResponse ::= STRUCTURE { NOCSRElements [0] : octstr (max 900), AttestationSignature [1] : octstr (64) }
 * ```
 */
import { buildCsr } from "../../cert/csr.ts";
import { encodeNocsrElements } from "../../cert/nocsr-elements.ts";
import type { P256PrivateKey } from "../../crypto/p256.ts";
import type { FabricIndex } from "../../fabric/fabric-index.ts";
import { ImStatus } from "../../fabric/status-codes.ts";
import type { CommandDefinition } from "../../im/data-model.ts";
import { type TlvType, tlvBool, tlvBytes, tlvField, tlvOptionalField, tlvStruct } from "../../tlv/tlv-schema.ts";
import { CSR_NONCE_BYTES, MAX_RESPONSE_ELEMENTS_BYTES, SIGNATURE_BYTES } from "./operational-credentials-limits.ts";
import { OperationalCredentialsCluster, type OperationalCredentialsEnv } from "./operational-credentials-options.ts";

/** CSRRequest schema. */
export const CsrRequest = tlvStruct({
  csrNonce: tlvField(0, tlvBytes()),
  isForUpdateNoc: tlvOptionalField(1, tlvBool),
});
export type CsrRequest = TlvType<typeof CsrRequest>;

/** CSRResponse schema. */
export const CsrResponse = tlvStruct({
  nocsrElements: tlvField(0, tlvBytes({ maxLength: MAX_RESPONSE_ELEMENTS_BYTES })),
  attestationSignature: tlvField(1, tlvBytes({ length: SIGNATURE_BYTES })),
});
export type CsrResponse = TlvType<typeof CsrResponse>;

/** The CSRRequest command. */
export function csrRequestCommand(env: OperationalCredentialsEnv): CommandDefinition<CsrRequest, CsrResponse> {
  return OperationalCredentialsCluster.command("CSRRequest", "A", {
    requestSchema: CsrRequest,
    response: OperationalCredentialsCluster.response("CSRResponse", CsrResponse),
    handler: async (req, ctx) => {
      const { failSafe } = env;
      const accessing = ctx.session.fabricIndex;
      const forUpdate = req.isForUpdateNoc ?? false;
      // §1.3 step 0 (§6 item 2): the fail-safe records IsForUpdateNOC before anything is validated, even when it is not
      // armed (the SDK resets it only on disarm). AddNOC/UpdateNOC judge the pending key's own purpose, so a record
      // left by a failed request never changes their outcome.
      failSafe.recordCsrRequest(forUpdate);
      // §1.3 step 1: CSRNonce.size != 32 → INVALID_COMMAND (TC_DA_1_5 step 11).
      if (req.csrNonce.length !== CSR_NONCE_BYTES) return { status: ImStatus.INVALID_COMMAND };
      // §1.3 step 2: an update CSR needs an accessing fabric.
      if (forUpdate && accessing === 0) return { status: ImStatus.INVALID_COMMAND };
      // §1.3 step 3: the fail-safe must be armed for the accessing fabric (0 over PASE).
      if (!failSafe.isArmedFor(accessing)) return { status: ImStatus.FAILSAFE_REQUIRED };
      // §1.3 step 4: AddNOC or UpdateNOC already succeeded in this fail-safe.
      if (failSafe.nocInvoked) return { status: ImStatus.CONSTRAINT_ERROR };
      let key: P256PrivateKey;
      try {
        // §1.3 step 5: a fresh key replaces any previous pending key; allocation errors (table full, conflicting
        // pending state) are FAILURE, without a cluster status.
        key = env.transaction.allocatePendingOperationalKey(forUpdate ? (accessing as FabricIndex) : undefined);
      } catch {
        return { status: ImStatus.FAILURE };
      }
      let nocsrElements: Uint8Array;
      try {
        nocsrElements = encodeNocsrElements({ csr: buildCsr(env.crypto, key), csrNonce: req.csrNonce });
      } catch {
        // §1.3 step 6: element construction or signing error → FAILURE.
        return { status: ImStatus.FAILURE };
      }
      // §3.1: AttestationSignature over NOCSRElements || AttestationChallenge; the challenge is never in the elements.
      const attestationSignature = env.attestation.signWithDac([nocsrElements, ctx.session.attestationChallenge]);
      return { response: { nocsrElements, attestationSignature } };
    },
  });
}
