/**
 * The project's error hierarchy (STYLE.md, Code rule 8): every error carries a stable string `code`.
 * It lives in the lowest layer so that every other layer can throw it without importing upward. The codes are a
 * closed set: each layer declares its own in `<layer>-error-codes.ts` by merging them into `ErrorCodes`, so a
 * code nobody declared (a typo) does not compile where an error is built or a code is compared.
 */

/**
 * Every error code of the library, one key each (the value is unused). A layer adds its codes with
 * `declare module "../bytes/errors.ts" { interface ErrorCodes { "tlv.overrun": true } }`.
 */
export interface ErrorCodes {
  /** A broken internal invariant (InternalError). */
  internal: true;
  /** A read ran past the end of the input (ByteReader). */
  "bytes.overrun": true;
  /** Bytes remain after the last field (ByteReader). */
  "bytes.trailing": true;
  /** Text that is not hex. */
  "bytes.hex": true;
  /** Text that is not base64. */
  "bytes.base64": true;
}

/** One declared error code. */
export type ErrorCode = keyof ErrorCodes;

/**
 * The Interaction Model status values (Core spec 8.10.1) a ProtocolError carries. The IM status table declares them
 * (`declare module "../bytes/errors.ts" { interface InteractionStatuses { im: ImStatus } }`), so that a Secure Channel
 * protocol code, a different set (SecureChannelError in src/sc), is not taken for one.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by declaration merging where the IM status table lives.
export interface InteractionStatuses {}

/** An Interaction Model status value; a plain number in a program that does not include the IM status table. */
export type InteractionStatus = [keyof InteractionStatuses] extends [never]
  ? number
  : InteractionStatuses[keyof InteractionStatuses];

/** Base class of every error this library throws on purpose; `code` is stable and machine-readable. */
export class OpcredsError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Bad bytes from the network, a file or storage; `path` names the field and `offset` the byte where it was found. */
export class MalformedError extends OpcredsError {
  readonly path: string | undefined;
  readonly offset: number | undefined;
  constructor(
    code: ErrorCode,
    message: string,
    where: { path?: string; offset?: number } = {},
    options?: ErrorOptions,
  ) {
    const prefix =
      where.path !== undefined || where.offset !== undefined
        ? `${where.path ?? ""}${where.offset !== undefined ? ` at 0x${where.offset.toString(16)}` : ""}: `
        : "";
    super(code, `${prefix}${message}`, options);
    this.path = where.path;
    this.offset = where.offset;
  }
}

/**
 * A well-formed peer broke an Interaction Model or cluster rule; `status` is the IM status to answer with and
 * `clusterStatus` the cluster-specific status, if any. (A PASE/CASE failure is a SecureChannelError, src/sc.)
 */
export class ProtocolError extends OpcredsError {
  readonly status: InteractionStatus;
  readonly clusterStatus: number | undefined;
  constructor(
    code: ErrorCode,
    message: string,
    status: InteractionStatus,
    clusterStatus?: number,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
    this.status = status;
    this.clusterStatus = clusterStatus;
  }
}

/** A certificate or chain broke a named validation rule (`rule` is the stable rule id, e.g. `noc.subject.node-id-range`). */
export class ValidationError extends OpcredsError {
  readonly rule: ErrorCode;
  constructor(rule: ErrorCode, message: string, options?: ErrorOptions) {
    super(rule, `${rule}: ${message}`, options);
    this.rule = rule;
  }
}

/** A broken internal invariant: a bug in this library, never caused by input. */
export class InternalError extends OpcredsError {
  constructor(message: string, options?: ErrorOptions) {
    super("internal", message, options);
  }
}
