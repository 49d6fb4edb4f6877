/**
 * SignVIDVerificationRequest (0x0D) → SignVIDVerificationResponse (0x0E) (Core spec 11.18.6.15-16, Matter 1.4.2;
 * conformance §1.10, §3.5): signs the vendor-id verification TBS of ANY fabric with that fabric's operational key,
 * binding the requesting session's attestation challenge.
 *
 * ```
 * SignVIDVerificationRequest  ::= STRUCTURE { FabricIndex [0] : fabric-idx, ClientChallenge [1] : octstr (32) }
 * SignVIDVerificationResponse ::= STRUCTURE { FabricIndex [0] : fabric-idx, FabricBindingVersion [1] : uint8,
 *                                             Signature [2] : octstr (64) }
 * vendor_fabric_binding_message = 0x01 || RootPublicKey (65) || FabricID (u64 BE) || VendorID (u16 BE)   -- 76 bytes
 * vendor_id_verification_tbs    = 0x01 || ClientChallenge (32) || AttestationChallenge (16) || FabricIndex (1)
 *                                 || vendor_fabric_binding_message (76) || VIDVerificationStatement (85, if any)
 * ```
 */
import { ByteWriter } from "../../bytes/byte-writer.ts";
import { InternalError } from "../../bytes/errors.ts";
import { isFabricIndex } from "../../fabric/fabric-index.ts";
import { ROOT_PUBLIC_KEY_BYTES } from "../../fabric/operational-identity.ts";
import { ImStatus } from "../../fabric/status-codes.ts";
import type { CommandDefinition } from "../../im/data-model.ts";
import { type TlvType, tlvBytes, tlvField, tlvStruct, tlvUInt8 } from "../../tlv/tlv-schema.ts";
import {
  SIGNATURE_BYTES,
  VID_VERIFICATION_CLIENT_CHALLENGE_BYTES,
  VID_VERIFICATION_STATEMENT_BYTES,
} from "./operational-credentials-limits.ts";
import { OperationalCredentialsCluster, type OperationalCredentialsEnv } from "./operational-credentials-options.ts";

/** FABRIC_BINDING_VERSION_1 (§3.5). */
const FABRIC_BINDING_VERSION_1 = 0x01;
/** Length of vendor_fabric_binding_message v1. */
const VENDOR_FABRIC_BINDING_MESSAGE_BYTES = 1 + ROOT_PUBLIC_KEY_BYTES + 8 + 2;
/** Attestation challenge length, in bytes. */
const ATTESTATION_CHALLENGE_BYTES = 16;

/** SignVIDVerificationRequest schema (range and length are checked by the handler: CONSTRAINT_ERROR). */
export const SignVidVerificationRequest = tlvStruct({
  fabricIndex: tlvField(0, tlvUInt8),
  clientChallenge: tlvField(1, tlvBytes()),
});
export type SignVidVerificationRequest = TlvType<typeof SignVidVerificationRequest>;

/** SignVIDVerificationResponse schema. */
export const SignVidVerificationResponse = tlvStruct({
  fabricIndex: tlvField(0, tlvUInt8),
  fabricBindingVersion: tlvField(1, tlvUInt8),
  signature: tlvField(2, tlvBytes({ length: SIGNATURE_BYTES })),
});
export type SignVidVerificationResponse = TlvType<typeof SignVidVerificationResponse>;

/** vendor_fabric_binding_message v1 (§3.5): 0x01 || RootPublicKey || FabricID BE || VendorID BE, 76 bytes. */
export function vendorFabricBindingMessage(rootPublicKey: Uint8Array, fabricId: bigint, vendorId: number): Uint8Array {
  if (rootPublicKey.length !== ROOT_PUBLIC_KEY_BYTES) throw new RangeError("root public key must be 65 bytes");
  const w = new ByteWriter();
  w.u8(FABRIC_BINDING_VERSION_1);
  w.bytes(rootPublicKey);
  w.u64be(fabricId);
  w.u16be(vendorId);
  const out = w.finish();
  if (out.length !== VENDOR_FABRIC_BINDING_MESSAGE_BYTES) throw new InternalError("binding message length");
  return out;
}

/** vendor_id_verification_tbs (§3.5); the VID Verification Statement is appended only when the fabric has one. */
export function vendorIdVerificationTbs(input: {
  readonly clientChallenge: Uint8Array;
  readonly attestationChallenge: Uint8Array;
  readonly fabricIndex: number;
  readonly bindingMessage: Uint8Array;
  readonly vidVerificationStatement?: Uint8Array | undefined;
}): Uint8Array {
  if (input.clientChallenge.length !== VID_VERIFICATION_CLIENT_CHALLENGE_BYTES)
    throw new RangeError("client challenge must be 32 bytes");
  if (input.attestationChallenge.length !== ATTESTATION_CHALLENGE_BYTES)
    throw new RangeError("attestation challenge must be 16 bytes");
  if (input.bindingMessage.length !== VENDOR_FABRIC_BINDING_MESSAGE_BYTES)
    throw new RangeError("binding message must be 76 bytes");
  const vvs = input.vidVerificationStatement;
  if (vvs !== undefined && vvs.length !== VID_VERIFICATION_STATEMENT_BYTES)
    throw new RangeError("VID verification statement must be 85 bytes");
  const w = new ByteWriter();
  w.u8(FABRIC_BINDING_VERSION_1);
  w.bytes(input.clientChallenge);
  w.bytes(input.attestationChallenge);
  w.u8(input.fabricIndex);
  w.bytes(input.bindingMessage);
  if (vvs !== undefined) w.bytes(vvs);
  return w.finish();
}

/** The SignVIDVerificationRequest command. */
export function signVidVerificationRequestCommand(
  env: OperationalCredentialsEnv,
): CommandDefinition<SignVidVerificationRequest, SignVidVerificationResponse> {
  return OperationalCredentialsCluster.command("SignVIDVerificationRequest", "A", {
    requestSchema: SignVidVerificationRequest,
    response: OperationalCredentialsCluster.response("SignVIDVerificationResponse", SignVidVerificationResponse),
    // §6 item 11: not fabric-scoped; an admin of fabric A may ask for fabric B (TC_OPCREDS_3_8 step 4).
    handler: async (req, ctx) => {
      // §1.10 step 1: FabricIndex not 1..254 or ClientChallenge not 32 bytes → CONSTRAINT_ERROR.
      if (!isFabricIndex(req.fabricIndex) || req.clientChallenge.length !== VID_VERIFICATION_CLIENT_CHALLENGE_BYTES)
        return { status: ImStatus.CONSTRAINT_ERROR };
      // §1.10 step 2: unknown fabric → CONSTRAINT_ERROR (not InvalidFabricIndex / NOT_FOUND).
      const fabric = env.fabrics.fabric(req.fabricIndex);
      if (fabric === undefined) return { status: ImStatus.CONSTRAINT_ERROR };
      if (ctx.session.attestationChallenge.length !== ATTESTATION_CHALLENGE_BYTES) return { status: ImStatus.FAILURE };
      // §3.5: the binding uses the fabric's current VendorID (after SetVIDVerificationStatement) and the challenge of
      // the session the request arrived on.
      const tbs = vendorIdVerificationTbs({
        clientChallenge: req.clientChallenge,
        attestationChallenge: ctx.session.attestationChallenge,
        fabricIndex: fabric.fabricIndex,
        bindingMessage: vendorFabricBindingMessage(fabric.rootPublicKey, fabric.fabricId, fabric.vendorId),
        vidVerificationStatement: fabric.vidVerificationStatement,
      });
      const signature = env.crypto.ecdsaSign(fabric.operationalKey, tbs);
      return {
        response: { fabricIndex: fabric.fabricIndex, fabricBindingVersion: FABRIC_BINDING_VERSION_1, signature },
      };
    },
  });
}
