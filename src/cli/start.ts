/**
 * `opcreds start`: runs the commissionable device node (what `npm start` runs) until SIGINT/SIGTERM, printing the
 * onboarding payloads (manual pairing code, QR payload) and one `DEVICE_READY {json}` line once it listens.
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import { DeviceNode } from "../node/device-node.ts";
import { DEVICE_DEFAULTS, LOG_LEVELS, type LogLevel } from "../node/node-config.ts";
import { encodeQrCode } from "../node/onboarding/qr-code.ts";
import { renderQrForTerminal } from "../node/onboarding/qr-terminal.ts";
import { type CliEnv, UsageError } from "./cli-env.ts";

/** The default data directory (relative to the working directory). */
export const DEFAULT_DATA_DIR = "./.opcreds-data";

/** Parses a decimal or 0x-hex integer option. */
export function parseIntegerOption(name: string, text: string): number {
  const v = /^0x[0-9a-f]+$/i.test(text) ? Number.parseInt(text.slice(2), 16) : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(v)) throw new UsageError(`${name}: not an integer: ${text}`);
  return v;
}

type StartOptions = {
  port: string;
  passcode: string;
  discriminator: string;
  vid: string;
  pid: string;
  data: string;
  interface?: string[];
  mdns: boolean;
  logLevel: string;
};

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
    .option("--data <dir>", "data directory (database, attestation credentials)", DEFAULT_DATA_DIR)
    .option("--interface <name...>", "network interface(s) to advertise mDNS on (default: all)")
    .option("--no-mdns", "do not advertise over mDNS")
    .option("--log-level <level>", `one of ${LOG_LEVELS.join(", ")}`, "info")
    .action(async (o: StartOptions) => {
      if (!(LOG_LEVELS as readonly string[]).includes(o.logLevel)) throw new UsageError(`--log-level: ${o.logLevel}`);
      const threshold = LOG_LEVELS.indexOf(o.logLevel as LogLevel);
      const logger = (level: LogLevel, message: string) => {
        if (LOG_LEVELS.indexOf(level) <= threshold) env.stderr(`${new Date().toISOString()} ${level} ${message}\n`);
      };
      let node: DeviceNode;
      try {
        node = await DeviceNode.start({
          dataDir: resolve(env.cwd, o.data),
          port: parseIntegerOption("--port", o.port),
          passcode: parseIntegerOption("--passcode", o.passcode),
          discriminator: parseIntegerOption("--discriminator", o.discriminator),
          vendorId: parseIntegerOption("--vid", o.vid),
          productId: parseIntegerOption("--pid", o.pid),
          mdns: o.mdns ? (o.interface === undefined ? {} : { interfaces: o.interface }) : false,
          logger,
        });
      } catch (e) {
        if (e instanceof RangeError) throw new UsageError(e.message);
        throw e;
      }
      env.stdout(`Manual pairing code: ${node.onboarding.manualPairingCode}\n`);
      env.stdout(`QR code payload:     ${node.onboarding.qrCode}\n`);
      env.stdout(`${renderQrForTerminal(encodeQrCode(node.onboarding.qrCode))}\n`);
      env.stdout(
        `DEVICE_READY ${JSON.stringify({
          port: node.port,
          pid: process.pid,
          manualPairingCode: node.onboarding.manualPairingCode,
          qrPairingCode: node.onboarding.qrCode,
          fabrics: node.fabrics.fabrics().length,
          commissioningWindow: node.commissioningWindow ?? null,
        })}\n`,
      );
      await new Promise<void>((done) => {
        const stop = (signal: string) => {
          logger("info", `${signal}: shutting down`);
          process.off("SIGINT", onInt);
          process.off("SIGTERM", onTerm);
          node.stop().then(done, (e: unknown) => {
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
