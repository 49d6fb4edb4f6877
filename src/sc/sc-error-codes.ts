/**
 * The error codes of the secure channel: PASE (Core spec 4.13) and CASE (4.14) handshakes, and secure sessions.
 * Declared by merging into ErrorCodes (src/bytes/errors.ts) so that an undeclared code does not compile.
 */

declare module "../bytes/errors.ts" {
  interface ErrorCodes {
    "case.no-shared-trust-roots": true;
    "case.peer-fabric-id": true;
    "case.peer-node-id": true;
    "case.peer-root": true;
    "case.peer-status": true;
    "case.resume-mic": true;
    "case.resumption-fields": true;
    "case.resumption-record": true;
    "case.session-id": true;
    "case.signature": true;
    "case.timeout": true;
    "case.unacknowledged": true;
    "case.unexpected-message": true;
    "pase.busy": true;
    "pase.confirmation": true;
    "pase.initiator-random": true;
    "pase.passcode-id": true;
    "pase.pbkdf-parameters": true;
    "pase.peer-status": true;
    "pase.session-id": true;
    "pase.timeout": true;
    "pase.unacknowledged": true;
    "pase.unexpected-message": true;
    "pase.verifier": true;
    "pase.window-closed": true;
  }
}

/** A module, so that the block above augments src/bytes/errors.ts instead of declaring a module of that name. */
export {};
