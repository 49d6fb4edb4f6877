/**
 * The node's log: levels, the closed set of modules a line belongs to, per-module thresholds (`--log-level
 * warn,fabric=debug`), and the two line formats (text for a terminal, one JSON object per line for a collector).
 * Secrets (passcodes, keys, the IPK) are never passed to a logger; only the CLI prints the pairing codes.
 */

/** Log levels the node prints at (each includes the ones before it). */
export const LOG_LEVELS = ["error", "warn", "info", "debug"] as const;
/** One log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The modules a log line comes from, defined once: `--log-level MODULE=LEVEL` takes exactly these. */
export const LOG_MODULES = [
  /** start-up, shutdown, the data directory, anything without a more specific module */
  "node",
  /** fabric table lifecycle: added, committed, updated, labelled, removed, reverted; NOC and CSR errors */
  "fabric",
  /** the fail-safe (armed, extended, expired, disarmed) and CommissioningComplete */
  "commissioning",
  /** the commissioning window (open, listening, closed, failed attempts) */
  "window",
  /** the secure channel: PASE and CASE sessions and handshake failures */
  "sc",
  /** the interaction model: invokes, reads, subscriptions */
  "im",
  /** DNS-SD advertising */
  "mdns",
  /** device attestation credentials */
  "attestation",
  /** the UDP transport */
  "transport",
  /** the database and other persistence */
  "storage",
  /** application endpoints (the light's On/Off, Identify) */
  "app",
] as const;
/** One log module. */
export type LogModule = (typeof LOG_MODULES)[number];

/** Line formats of `--log-format`. */
export const LOG_FORMATS = ["text", "json"] as const;
/** One line format. */
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Structured fields of a line (JSON format: merged into the object; text format: not printed). */
export type LogFields = Readonly<Record<string, string | number | boolean | null>>;

/**
 * The node's logger: one line per call. `module` defaults to "node"; existing `(level, message)` call sites need
 * nothing else.
 */
export type NodeLogger = (level: LogLevel, message: string, module?: LogModule, fields?: LogFields) => void;

/** A logger that tags every line without a module of its own with `module`. */
export function moduleLogger(logger: NodeLogger, module: LogModule): NodeLogger {
  return (level, message, m, fields) => logger(level, message, m ?? module, fields);
}

/** Which lines pass: a global threshold and per-module overrides. */
export type LogFilter = {
  readonly level: LogLevel;
  readonly modules: Readonly<Partial<Record<LogModule, LogLevel>>>;
};

/** The default filter: everything at info and above. */
export const DEFAULT_LOG_FILTER: LogFilter = { level: "info", modules: {} };

const isLevel = (s: string): s is LogLevel => (LOG_LEVELS as readonly string[]).includes(s);
const isModule = (s: string): s is LogModule => (LOG_MODULES as readonly string[]).includes(s);

/**
 * Parses a `--log-level` value: comma-separated items, each a level (the global threshold) or `module=level`
 * (`debug`, `sc=debug,im=info`, `warn,fabric=debug`). The global level not given stays `base.level`. An unknown
 * module or level is a RangeError listing the choices.
 */
export function parseLogLevelSpec(text: string, base: LogFilter = DEFAULT_LOG_FILTER): LogFilter {
  let level = base.level;
  const modules: Partial<Record<LogModule, LogLevel>> = { ...base.modules };
  const levels = LOG_LEVELS.join(", ");
  for (const item of text.split(",").map((s) => s.trim())) {
    const eq = item.indexOf("=");
    if (eq < 0) {
      if (!isLevel(item)) throw new RangeError(`${JSON.stringify(item)} is not a level (one of ${levels})`);
      level = item;
      continue;
    }
    const module = item.slice(0, eq).trim();
    const moduleLevel = item.slice(eq + 1).trim();
    if (!isModule(module)) {
      throw new RangeError(`unknown module ${JSON.stringify(module)} (one of ${LOG_MODULES.join(", ")})`);
    }
    if (!isLevel(moduleLevel)) {
      throw new RangeError(
        `${module}=${moduleLevel}: ${JSON.stringify(moduleLevel)} is not a level (one of ${levels})`,
      );
    }
    modules[module] = moduleLevel;
  }
  return { level, modules };
}

/** Whether a line at `level` from `module` passes `filter`. */
export function logEnabled(filter: LogFilter, level: LogLevel, module: LogModule): boolean {
  const threshold = filter.modules[module] ?? filter.level;
  return LOG_LEVELS.indexOf(level) <= LOG_LEVELS.indexOf(threshold);
}

/** One formatted line (with its newline): `TIME LEVEL [module] message`, or a JSON object. */
function formatLogLine(
  format: LogFormat,
  time: Date,
  level: LogLevel,
  module: LogModule,
  message: string,
  fields?: LogFields,
): string {
  if (format === "text") return `${time.toISOString()} ${level.padEnd(5)} [${module}] ${message}\n`;
  const line: Record<string, unknown> = { time: time.toISOString(), level, module, msg: message };
  // The four keys above are the line's; a field of the same name cannot replace them.
  for (const [k, v] of Object.entries(fields ?? {})) if (!(k in line)) line[k] = v;
  return `${JSON.stringify(line)}\n`;
}

/** Options of `createNodeLogger`. */
export type NodeLoggerOptions = {
  readonly filter?: LogFilter;
  readonly format?: LogFormat;
  /** Where lines go (the CLI's stderr). */
  readonly write: (line: string) => void;
  /** The clock lines are stamped with (default `new Date()`). */
  readonly now?: () => Date;
};

/** A logger that filters by level and module and writes one formatted line per call. */
export function createNodeLogger(options: NodeLoggerOptions): NodeLogger {
  const filter = options.filter ?? DEFAULT_LOG_FILTER;
  const format = options.format ?? "text";
  const now = options.now ?? (() => new Date());
  return (level, message, module = "node", fields) => {
    if (logEnabled(filter, level, module)) options.write(formatLogLine(format, now(), level, module, message, fields));
  };
}
