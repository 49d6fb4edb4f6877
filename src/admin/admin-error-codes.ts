/**
 * The error codes of the administrator: the AdminError codes (admin-error.ts) and its stores' record codes.
 * Declared by merging into ErrorCodes (src/bytes/errors.ts) so that an undeclared code does not compile.
 */
import type { AdminErrorCode } from "./admin-error.ts";

declare module "../bytes/errors.ts" {
  interface ErrorCodes extends Record<AdminErrorCode, true> {
    "admin.attribute-path": true;
    "admin.fabric-exists": true;
    "admin.fabric-record": true;
    "admin.node-exists": true;
    "admin.node-record": true;
  }
}
