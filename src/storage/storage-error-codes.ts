/**
 * The error codes of the storage layer (the record store and its SQLite file).
 * Declared by merging into ErrorCodes (src/bytes/errors.ts) so that an undeclared code does not compile.
 */

declare module "../bytes/errors.ts" {
  interface ErrorCodes {
    "storage.no-database": true;
    "storage.not-a-database": true;
    "storage.open": true;
    "storage.record": true;
    "storage.schema": true;
  }
}

/** A module, so that the block above augments src/bytes/errors.ts instead of declaring a module of that name. */
export {};
