/**
 * The project's error hierarchy (STYLE.md, Code rule 8): every error carries a stable string `code`.
 * It lives in the lowest layer so that every other layer can throw it without importing upward.
 */

/** Base class of every error this library throws on purpose; `code` is stable and machine-readable. */
export class OpcredsError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Bad bytes from the network, a file or storage; `path` names the field and `offset` the byte where it was found. */
export class MalformedError extends OpcredsError {
  readonly path: string | undefined;
  readonly offset: number | undefined;
  constructor(code: string, message: string, where: { path?: string; offset?: number } = {}, options?: ErrorOptions) {
    const prefix =
      where.path !== undefined || where.offset !== undefined
        ? `${where.path ?? ""}${where.offset !== undefined ? ` at 0x${where.offset.toString(16)}` : ""}: `
        : "";
    super(code, `${prefix}${message}`, options);
    this.path = where.path;
    this.offset = where.offset;
  }
}

/** A well-formed peer broke a protocol rule; `status` is the Matter status (IM or cluster-specific) to answer with. */
export class ProtocolError extends OpcredsError {
  readonly status: number;
  readonly clusterStatus: number | undefined;
  constructor(code: string, message: string, status: number, clusterStatus?: number, options?: ErrorOptions) {
    super(code, message, options);
    this.status = status;
    this.clusterStatus = clusterStatus;
  }
}

/** A certificate or chain broke a named validation rule (`rule` is the stable rule id, e.g. `noc.subject.node-id-range`). */
export class ValidationError extends OpcredsError {
  readonly rule: string;
  constructor(rule: string, message: string, options?: ErrorOptions) {
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
