/**
 * The error codes of the `opcreds` command: input and output, usage, the certificate tools, `fabrics` and `start`.
 * Declared by merging into ErrorCodes (src/bytes/errors.ts) so that an undeclared code does not compile.
 */

declare module "../bytes/errors.ts" {
  interface ErrorCodes {
    "cli.ca-key-mismatch": true;
    "cli.ca-kind": true;
    "cli.cert-format": true;
    "cli.input": true;
    "cli.io": true;
    "cli.key-format": true;
    "cli.pem": true;
    "cli.skid-missing": true;
    "cli.usage": true;
    "fabrics.no-database": true;
    "fabrics.reset-cancelled": true;
    "fabrics.reset-unconfirmed": true;
    "fabrics.unknown-index": true;
    lint: true;
    "start.data-dir": true;
    "start.port-in-use": true;
  }
}

/** A module, so that the block above augments src/bytes/errors.ts instead of declaring a module of that name. */
export {};
