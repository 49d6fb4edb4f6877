/**
 * The error codes of the message layer: message and protocol headers, counters, message protection (Core spec 4.4-4.8).
 * Declared by merging into ErrorCodes (src/bytes/errors.ts) so that an undeclared code does not compile.
 */

declare module "../bytes/errors.ts" {
  interface ErrorCodes {
    "message.auth": true;
    "message.counter-exhausted": true;
    "message.dsiz": true;
    "message.mic": true;
    "message.privacy-unsupported": true;
    "message.reserved-bits": true;
    "message.session": true;
    "message.session-type": true;
    "message.vendor-id": true;
    "message.version": true;
  }
}

/** A module, so that the block above augments src/bytes/errors.ts instead of declaring a module of that name. */
export {};
