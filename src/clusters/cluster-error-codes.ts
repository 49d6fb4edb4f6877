/**
 * The error codes thrown by cluster servers (Operational Credentials chain checks, the Scene Table records).
 * Declared by merging into ErrorCodes (src/bytes/errors.ts) so that an undeclared code does not compile.
 */

declare module "../bytes/errors.ts" {
  interface ErrorCodes {
    "opcreds.invalid-noc": true;
    "opcreds.invalid-node-op-id": true;
    "scenes.record": true;
  }
}

/** A module, so that the block above augments src/bytes/errors.ts instead of declaring a module of that name. */
export {};
