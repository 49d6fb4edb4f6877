/**
 * The error codes of the Matter TLV layer (Core spec Appendix A): the strict decoder and the typed schemas.
 * Declared by merging into ErrorCodes (src/bytes/errors.ts) so that an undeclared code does not compile.
 */

declare module "../bytes/errors.ts" {
  interface ErrorCodes {
    "tlv.depth": true;
    "tlv.duplicate-tag": true;
    "tlv.end": true;
    "tlv.overrun": true;
    "tlv.schema": true;
    "tlv.tag": true;
    "tlv.trailing": true;
    "tlv.type": true;
    "tlv.unclosed": true;
    "tlv.utf8": true;
  }
}

/** A module, so that the block above augments src/bytes/errors.ts instead of declaring a module of that name. */
export {};
