/**
 * The error codes of the strict DER reader (X.690 DER as RFC 5280 certificates use it).
 * Declared by merging into ErrorCodes (src/bytes/errors.ts) so that an undeclared code does not compile.
 */

declare module "../bytes/errors.ts" {
  interface ErrorCodes {
    "der.bit-string": true;
    "der.boolean": true;
    "der.integer": true;
    "der.length": true;
    "der.null": true;
    "der.oid": true;
    "der.overrun": true;
    "der.string": true;
    "der.tag": true;
    "der.time": true;
    "der.trailing": true;
  }
}

/** A module, so that the block above augments src/bytes/errors.ts instead of declaring a module of that name. */
export {};
