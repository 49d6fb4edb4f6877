/**
 * The error codes of the node layer: onboarding payloads (Core spec 5.1), DNS-SD messages, the data directory lock.
 * Declared by merging into ErrorCodes (src/bytes/errors.ts) so that an undeclared code does not compile.
 */

declare module "../bytes/errors.ts" {
  interface ErrorCodes {
    "dns.label-type": true;
    "dns.label-utf8": true;
    "dns.name-length": true;
    "dns.name-pointer": true;
    "dns.name-pointer-loop": true;
    "dns.txt-empty": true;
    "node.data-locked": true;
    "onboarding.base38": true;
    "onboarding.code": true;
    "onboarding.digits": true;
    "onboarding.manual-code": true;
    "onboarding.qr-code": true;
  }
}

/** A module, so that the block above augments src/bytes/errors.ts instead of declaring a module of that name. */
export {};
