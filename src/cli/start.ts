/**
 * `opcreds start`: runs the commissionable device node (what `npm start` runs) until SIGINT/SIGTERM, printing the
 * onboarding payloads (manual pairing code, QR payload) while its commissioning window is open and one
 * `DEVICE_READY {json}` line once it listens. Bad options and start-up failures name the option or file at fault.
 */
import { mkdirSync, statSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { MalformedError, OpcredsError } from "../bytes/errors.ts";
import { DATABASE_FILE } from "../node/device-node.ts";
import { checkDeviceDeclaration, type DeviceDeclaration, MatterDevice } from "../node/matter-device.ts";
import { DEFAULT_BASIC_INFORMATION, DEFAULT_ENDPOINTS, DEVICE_DEFAULTS, passcodeProblem } from "../node/node-config.ts";
import {
  createNodeLogger,
  LOG_FORMATS,
  LOG_LEVELS,
  LOG_MODULES,
  type LogFilter,
  type LogFormat,
  parseLogLevelSpec,
} from "../node/node-log.ts";
import { encodeQrCode } from "../node/onboarding/qr-code.ts";
import { renderQrForTerminal } from "../node/onboarding/qr-terminal.ts";
import { type CliEnv, UsageError } from "./cli-env.ts";

/** The default data directory (relative to the working directory). */
export const DEFAULT_DATA_DIR = "./.opcreds-data";
/** The environment variable naming the data directory when `--data` is not given. */
export const DATA_DIR_ENV = "OPCREDS_DATA";

/** The data directory as entered: `--data`, else $OPCREDS_DATA (when not empty), else the default. */
export function dataDirOption(flag: string | undefined, environment: Readonly<Record<string, string | undefined>>) {
  const fromEnv = environment[DATA_DIR_ENV];
  return flag ?? (fromEnv === undefined || fromEnv === "" ? DEFAULT_DATA_DIR : fromEnv);
}

/** Parses `--log-level` (a level and/or module=level items) as a usage error listing the choices. */
function parseLogLevelOption(text: string): LogFilter {
  try {
    return parseLogLevelSpec(text);
  } catch (e) {
    throw new UsageError(`--log-level ${text}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Parses `--log-format` (text or json). */
function parseLogFormat(text: string): LogFormat {
  if (!(LOG_FORMATS as readonly string[]).includes(text)) {
    throw new UsageError(`--log-format ${text}: not one of ${LOG_FORMATS.join(", ")}`);
  }
  return text as LogFormat;
}

/** Parses a decimal or 0x-hex integer option. */
export function parseIntegerOption(name: string, text: string): number {
  const v = /^0x[0-9a-f]+$/i.test(text) ? Number.parseInt(text.slice(2), 16) : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(v)) throw new UsageError(`${name}: not an integer: ${text}`);
  return v;
}

/** The device could not start for a reason outside the command line (busy port, unusable data directory). */
class StartError extends OpcredsError {}

type StartOptions = {
  port: string;
  passcode: string;
  discriminator: string;
  vid: string;
  pid: string;
  data?: string;
  attestation?: string;
  interface?: string[];
  mdns: boolean;
  logLevel: string;
  logFormat: string;
};

/** The command-line flag for each DeviceNodeConfig field, so a RangeError names what the user typed. */
const FLAG_OF: Record<string, string> = {
  port: "--port",
  passcode: "--passcode",
  discriminator: "--discriminator",
  vendorId: "--vid",
  productId: "--pid",
  dataDir: "--data",
  attestationDir: "--attestation",
};

/** Checks `--passcode` as entered (leading zeros kept), saying why a forbidden one is forbidden. */
function parsePasscode(text: string): number {
  if (!/^\d{1,8}$/.test(text)) throw new UsageError(`--passcode ${text}: a setup passcode is 8 decimal digits`);
  const passcode = Number(text);
  const problem = passcodeProblem(passcode);
  if (problem !== undefined) throw new UsageError(`--passcode ${text}: ${problem}`);
  return passcode;
}

/** Refuses interface names this host does not have, listing those it has. */
function checkInterfaces(names: readonly string[]): void {
  const have = Object.keys(networkInterfaces());
  const missing = names.filter((n) => !have.includes(n));
  if (missing.length > 0) {
    throw new UsageError(
      `--interface ${missing.join(", ")}: no such network interface (this host has: ${have.join(", ") || "none"})`,
    );
  }
}

/** Refuses an `--attestation` argument that is not a directory (named as entered). */
function checkDirectory(flag: string, entered: string, dir: string): void {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new UsageError(`${flag} ${entered}: no such directory`);
  }
  if (!isDir) throw new UsageError(`${flag} ${entered}: not a directory`);
}

/** Creates the data directory (0700) up front, so that a path that cannot be one is refused naming `--data`. */
function prepareDataDir(entered: string, dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? "error";
    throw new StartError("start.data-dir", `--data ${entered}: cannot be used as the data directory (${code})`, {
      cause,
    });
  }
  if (!statSync(dir).isDirectory()) {
    throw new StartError("start.data-dir", `--data ${entered}: not a directory`);
  }
}

/** A start-up failure turned into a message naming its culprit (the option, port or file). */
function explainStartFailure(e: unknown, o: { port: number; dataDir: string }): unknown {
  if (e instanceof RangeError) {
    const field = /^(\w+)/.exec(e.message)?.[1] ?? "";
    const flag = FLAG_OF[field];
    return new UsageError(flag === undefined ? e.message : `${flag}: ${e.message}`);
  }
  const code = (e as { code?: unknown }).code;
  if (code === "EADDRINUSE") {
    return new StartError(
      "start.port-in-use",
      `UDP port ${o.port} is already in use (another device running?): choose another one with --port`,
      { cause: e },
    );
  }
  if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT") {
    return new MalformedError(
      "storage.not-a-database",
      `${join(o.dataDir, DATABASE_FILE)} is not an opcreds database (--data names a directory this device owns)`,
      {},
      { cause: e },
    );
  }
  if (code === "ENOTDIR" || code === "EEXIST" || code === "EACCES") {
    const path = (e as { path?: unknown }).path;
    return new StartError(
      "start.data-dir",
      `--data ${o.dataDir}: cannot be used as the data directory (${String(code)}${typeof path === "string" ? ` at ${path}` : ""})`,
      { cause: e },
    );
  }
  return e;
}

/** Adds `start` to the program. */
export function addStartCommand(program: Command, env: CliEnv): void {
  program
    .command("start")
    .description("start the commissionable device node (an On/Off light) until SIGINT/SIGTERM")
    .option("--port <port>", "UDP port", String(DEVICE_DEFAULTS.port))
    .option("--passcode <passcode>", "setup passcode", String(DEVICE_DEFAULTS.passcode))
    .option("--discriminator <n>", "12-bit discriminator", String(DEVICE_DEFAULTS.discriminator))
    .option("--vid <vid>", "vendor id", "0xFFF1")
    .option("--pid <pid>", "product id", "0x8000")
    .option(
      "--data <dir>",
      `data directory: database, development attestation credentials (default: $${DATA_DIR_ENV}, else ${DEFAULT_DATA_DIR})`,
    )
    .option(
      "--attestation <dir>",
      "a product's attestation credentials: dac.der, dac-key.pem (or .der), pai.der, cd.der (default: development ones)",
    )
    .option("--interface <name...>", "network interface(s) to advertise mDNS on (default: all)")
    .option("--no-mdns", "do not advertise over mDNS")
    .option(
      "--log-level <spec>",
      `a level and/or MODULE=LEVEL items, comma-separated (e.g. debug, sc=debug,im=info, warn,fabric=debug); ` +
        `levels: ${LOG_LEVELS.join(", ")}; modules: ${LOG_MODULES.join(", ")}`,
      "info",
    )
    .option(
      "--log-format <format>",
      `log line format on stderr: ${LOG_FORMATS.join(" or ")} (json: one object per line)`,
      "text",
    )
    .action(async (o: StartOptions) => {
      const logger = createNodeLogger({
        filter: parseLogLevelOption(o.logLevel),
        format: parseLogFormat(o.logFormat),
        write: (line) => env.stderr(line),
      });
      const port = parseIntegerOption("--port", o.port);
      const passcode = parsePasscode(o.passcode);
      const vendorId = parseIntegerOption("--vid", o.vid);
      if (vendorId === 0) throw new UsageError("--vid 0: vendor id 0 is reserved for the Matter standard");
      if (o.interface !== undefined) checkInterfaces(o.interface);
      const attestationDir = o.attestation === undefined ? undefined : resolve(env.cwd, o.attestation);
      if (attestationDir !== undefined) checkDirectory("--attestation", o.attestation!, attestationDir);
      const dataEntered = dataDirOption(o.data, process.env);
      const dataDir = resolve(env.cwd, dataEntered);
      // The bundled light, declared through the public device API (matter-opcreds/node) as any product would be.
      const declaration: DeviceDeclaration = {
        dataDir,
        endpoints: DEFAULT_ENDPOINTS,
        basicInformation: DEFAULT_BASIC_INFORMATION,
        commissioning: {
          port,
          passcode,
          discriminator: parseIntegerOption("--discriminator", o.discriminator),
          vendorId,
          productId: parseIntegerOption("--pid", o.pid),
          ...(o.mdns ? (o.interface === undefined ? {} : { mdnsInterfaces: o.interface }) : { mdnsInterfaces: false }),
        },
        ...(attestationDir === undefined ? {} : { attestation: { directory: attestationDir } }),
        logger,
      };
      let device: MatterDevice;
      try {
        checkDeviceDeclaration(declaration);
        prepareDataDir(dataEntered, dataDir);
        logger("info", `data directory ${dataDir}`, "node", { dataDir });
        logger(
          "info",
          `attestation: ${attestationDir ?? "development credentials (Matter Development PAA)"}`,
          "attestation",
        );
        device = await MatterDevice.start(declaration);
      } catch (e) {
        throw explainStartFailure(e, { port, dataDir });
      }
      const printCodes = (): void => {
        env.stdout(`Manual pairing code: ${device.onboarding.manualPairingCode}\n`);
        env.stdout(`QR code payload:     ${device.onboarding.qrCode}\n`);
        env.stdout(`${renderQrForTerminal(encodeQrCode(device.onboarding.qrCode))}\n`);
      };
      // The codes are the basic window's: shown again when it reopens (the last fabric removed), never for an
      // administrator's enhanced window, whose codes that administrator gives.
      device.on("commissioningWindowOpened", ({ kind }) => {
        if (kind === "basic") printCodes();
      });
      if (device.commissioningWindow !== undefined) printCodes();
      else {
        env.stdout(
          `Commissioned (${device.fabrics.length} fabric(s)); no commissioning window is open: ` +
            "an administrator opens one (opcreds node ID open-window) and gives its own codes\n",
        );
      }
      env.stdout(
        `DEVICE_READY ${JSON.stringify({
          port: device.port,
          pid: process.pid,
          manualPairingCode: device.onboarding.manualPairingCode,
          qrPairingCode: device.onboarding.qrCode,
          fabrics: device.fabrics.length,
          dataDir,
          commissioningWindow: device.commissioningWindow ?? null,
        })}\n`,
      );
      await new Promise<void>((done) => {
        const stop = (signal: string) => {
          logger("info", `${signal}: shutting down`);
          process.off("SIGINT", onInt);
          process.off("SIGTERM", onTerm);
          device.stop().then(done, (e: unknown) => {
            logger("error", `shutdown: ${String(e)}`);
            done();
          });
        };
        const onInt = () => stop("SIGINT");
        const onTerm = () => stop("SIGTERM");
        process.on("SIGINT", onInt);
        process.on("SIGTERM", onTerm);
      });
    });
}
