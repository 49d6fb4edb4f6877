/**
 * Validation of the peer's credentials in Sigma2 and Sigma3 (Core spec 4.14.2.3, SDK CASESession::ValidatePeerIdentity):
 * the NOC chain against the fabric's trusted root with the certificate toolkit, the NOC's fabric id against ours,
 * then the signature over TBSData with the NOC's public key. Time is checked only when `validAt` is given.
 */
import { bytesEqual } from "../../bytes/bytes.ts";
import { matterCertPublicKey } from "../../cert/matter-cert-signature.ts";
import { validateChain } from "../../cert/validate.ts";
import type { Crypto } from "../../crypto/crypto.ts";
import { invalidParameter } from "../secure-channel-error.ts";
import type { CaseFabric } from "./case-fabric.ts";

/** What a validated peer establishes. */
export type PeerIdentity = { readonly nodeId: bigint; readonly cats: readonly number[] };

/**
 * Validates RCAC(fabric) -> [ICAC] -> NOC, the NOC's fabric id, and `signature` (raw r || s) over `tbs`. Failures
 * throw ValidationError (chain), MalformedError (undecodable certificate) or SecureChannelError (fabric id, signature).
 */
export function validatePeerCredentials(
  crypto: Crypto,
  fabric: CaseFabric,
  noc: Uint8Array,
  icac: Uint8Array | undefined,
  tbs: Uint8Array,
  signature: Uint8Array,
  validAt: Date | undefined,
): PeerIdentity {
  const chain = validateChain({ noc, icac, rcac: fabric.rcac, at: validAt, crypto });
  // The chain SHALL end at the fabric's trusted root and the NOC SHALL belong to the same fabric.
  if (!bytesEqual(chain.rootPublicKey, fabric.rootPublicKey)) {
    throw invalidParameter("case.peer-root", "peer chain does not end at the fabric's root");
  }
  if (chain.fabricId !== fabric.fabricId) {
    throw invalidParameter("case.peer-fabric-id", `peer NOC fabric id 0x${chain.fabricId.toString(16)} is not ours`);
  }
  // The chain check imported the NOC's key; it is kept with the (cached) certificate.
  const key = matterCertPublicKey(chain.noc);
  if (!crypto.ecdsaVerify(key, tbs, signature))
    throw invalidParameter("case.signature", "TBSData signature does not verify");
  return { nodeId: chain.nodeId, cats: [...chain.cats] };
}
