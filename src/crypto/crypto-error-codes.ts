/**
 * The error codes of the crypto layer: P-256 keys and points, ECDSA signature forms, AES-CCM, SPAKE2+ (Core spec 3).
 * Declared by merging into ErrorCodes (src/bytes/errors.ts) so that an undeclared code does not compile.
 */

declare module "../bytes/errors.ts" {
  interface ErrorCodes {
    "crypto.ccm-auth": true;
    "crypto.private-key": true;
    "crypto.public-key": true;
    "crypto.spake2p-point": true;
    "ecdsa.der": true;
    "ecdsa.raw-length": true;
  }
}

/** A module, so that the block above augments src/bytes/errors.ts instead of declaring a module of that name. */
export {};
