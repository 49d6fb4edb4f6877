/**
 * Signature of a Matter certificate (Core spec 6.5.12): ECDSA-P256-SHA256 over the DER TBSCertificate rebuilt from the
 * received TLV. Each certificate's public key is imported once and kept, so chain validation never re-imports it.
 */
import { MalformedError } from "../bytes/errors.ts";
import type { Crypto } from "../crypto/crypto.ts";
import { P256PublicKey } from "../crypto/p256.ts";
import type { MatterCert, MatterCertFields } from "./matter-cert.ts";
import { tbsDer } from "./matter-cert-to-x509.ts";

const keys = new WeakMap<MatterCert, P256PublicKey>();

/** The certificate's public key as a P256PublicKey (imported on first use, then cached); an invalid point is malformed. */
export function matterCertPublicKey(cert: MatterCert): P256PublicKey {
  let key = keys.get(cert);
  if (key === undefined) {
    try {
      key = P256PublicKey.fromRaw(cert.publicKey);
    } catch (cause) {
      if (cause instanceof MalformedError) throw cause;
      throw new MalformedError(
        "crypto.public-key",
        "public key is not a P-256 point",
        { path: "cert/publicKey" },
        { cause },
      );
    }
    keys.set(cert, key);
  }
  return key;
}

/** True when `cert`'s signature verifies with `issuerKey` over its rebuilt DER TBS. */
export function verifyMatterCertSignature(crypto: Crypto, cert: MatterCertFields, issuerKey: P256PublicKey): boolean {
  return crypto.ecdsaVerify(issuerKey, tbsDer(cert), cert.signature);
}
