// Runs matter.js peers (controller.mjs, device.mjs next to this file, resolving @matter/* from the repo's
// node_modules) and our own device inside private network namespaces: no packet, not even mDNS, leaves the host.
// Processes are killed by PID (TERM, then KILL after 2 s); namespaces are deleted by name by their creator.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ensureFreshDist } from "../../support/compiled-child.ts";

export const HERE = import.meta.dirname;
export const REPO = resolve(HERE, "../../..");

let nsCounter = 0;

/** A private network namespace created with `ip netns add`. */
export type Netns = { readonly name: string; readonly kind: "lo" | "lo-mcast"; delete(): void };

/**
 * Creates a namespace with only `lo` up ("lo": matter.js sends no mDNS at all) or with `lo` multicast-capable and a
 * 224.0.0.0/4 route ("lo-mcast": mDNS works on 127.0.0.1/::1 when MATTER_MDNS_NETWORKINTERFACE=lo).
 */
export function createNetns(kind: "lo" | "lo-mcast"): Netns {
  const name = `opcmjs-${process.pid}-${++nsCounter}`;
  execFileSync("ip", ["netns", "add", name]);
  const inNs = (...args: string[]) => execFileSync("ip", ["netns", "exec", name, "ip", ...args]);
  inNs("link", "set", "lo", "up");
  if (kind === "lo-mcast") {
    inNs("link", "set", "lo", "multicast", "on");
    inNs("route", "replace", "224.0.0.0/4", "dev", "lo");
  }
  let deleted = false;
  return {
    name,
    kind,
    delete() {
      if (deleted) return;
      deleted = true;
      try {
        execFileSync("ip", ["netns", "del", name]);
      } catch {
        // already gone
      }
    },
  };
}

/** A fresh temporary directory for one run's state. */
export function tempState(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A process started inside a namespace, with its combined output collected. */
export type NsProcess = {
  readonly child: ChildProcess;
  readonly pid: number;
  output(): string;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  readonly exited: Promise<number | string>;
  /** TERM, then KILL after 2 s; resolves once the process is gone. */
  stop(): Promise<void>;
  /** KILL at once (crash simulation); resolves once the process is gone. */
  kill(): Promise<void>;
};

/** Spawns `command args` in `ns` (via `ip netns exec`, which execs: the PID is the command's own) with extra env. */
export function spawnInNetns(
  ns: Netns,
  command: string,
  args: readonly string[],
  env: Record<string, string>,
  options: { cwd?: string } = {},
): NsProcess {
  const child = spawn("ip", ["netns", "exec", ns.name, command, ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | string>((r) => {
    child.on("exit", (code, signal) => r(code ?? signal ?? "unknown"));
  });
  const pid = child.pid;
  if (pid === undefined) throw new TypeError(`could not spawn ${command}`);
  let running = true;
  void exited.then(() => {
    running = false;
  });
  const signal = (s: NodeJS.Signals) => {
    if (!running) return;
    try {
      process.kill(pid, s);
    } catch {
      // exited in the meantime
    }
  };
  return {
    child,
    pid,
    output: () => out,
    exited,
    async stop() {
      signal("SIGTERM");
      const timer = setTimeout(() => signal("SIGKILL"), 2000);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      signal("SIGKILL");
      await exited;
    },
  };
}

/** Waits until `output()` matches `pattern` (or the process exits / `ms` passes: then throws with the log tail). */
export async function waitForOutput(p: NsProcess, pattern: RegExp, ms = 30_000): Promise<RegExpMatchArray> {
  const end = Date.now() + ms;
  let exited = false;
  void p.exited.then(() => {
    exited = true;
  });
  for (;;) {
    const m = p.output().match(pattern);
    if (m) return m;
    if (exited || Date.now() > end) {
      throw new HarnessError(`${exited ? "process exited" : "timeout"} before ${pattern}: ${tail(p.output())}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

// A named local error class so the harness never throws a bare Error (test code only).
class HarnessError extends Error {
  override name = "HarnessError";
}

/** The last `n` lines of a log. */
export function tail(text: string, n = 40): string {
  return text.split("\n").slice(-n).join("\n");
}

/** Starts the matter.js reference device (device.mjs) and waits for its DEVICE_READY line. */
export async function startReferenceDevice(
  ns: Netns,
  env: { storage: string; port?: number; passcode?: number; discriminator?: number; extra?: Record<string, string> },
): Promise<{ process: NsProcess; ready: Record<string, unknown> }> {
  const p = spawnInNetns(ns, process.execPath, [join(HERE, "device.mjs")], {
    DEV_STORAGE: env.storage,
    DEV_PORT: String(env.port ?? 5540),
    DEV_PASSCODE: String(env.passcode ?? 20202021),
    DEV_DISCRIMINATOR: String(env.discriminator ?? 3840),
    MATTER_LOG_LEVEL: "info",
    ...(env.extra ?? {}),
  });
  try {
    const m = await waitForOutput(p, /DEVICE_READY (\{.*\})/, 60_000);
    return { process: p, ready: JSON.parse(m[1]!) as Record<string, unknown> };
  } catch (e) {
    await p.stop();
    throw e;
  }
}

/** Result of one controller.mjs run: exit code, RESULT lines by tag (in order), the whole log. */
export type ControllerRun = {
  readonly code: number | string;
  readonly results: ReadonlyMap<string, unknown[]>;
  readonly log: string;
  /** The first RESULT payload with `tag` (throws with the log tail if absent). */
  first(tag: string): Record<string, unknown>;
};

/** Runs controller.mjs to completion in `ns` (killed after `timeoutMs`), returning its RESULT lines. */
export async function runController(
  ns: Netns,
  env: Record<string, string>,
  timeoutMs = 150_000,
): Promise<ControllerRun> {
  const p = spawnInNetns(ns, process.execPath, [join(HERE, "controller.mjs")], {
    MATTER_LOG_LEVEL: "info",
    ...env,
  });
  const timer = setTimeout(() => void p.stop(), timeoutMs);
  const code = await p.exited;
  clearTimeout(timer);
  const log = p.output();
  const results = parseResults(log);
  return {
    code,
    results,
    log,
    first(tag) {
      const v = results.get(tag)?.[0];
      if (v === undefined) throw new HarnessError(`no RESULT ${tag} (exit ${code}): ${tail(log)}`);
      return v as Record<string, unknown>;
    },
  };
}

/** Parses `RESULT <tag> <json>` lines. */
export function parseResults(log: string): Map<string, unknown[]> {
  const map = new Map<string, unknown[]>();
  for (const line of log.split("\n")) {
    const m = /^RESULT (\S+) (.*)$/.exec(line);
    if (!m) continue;
    let value: unknown;
    try {
      value = JSON.parse(m[2]!);
    } catch {
      value = m[2];
    }
    const list = map.get(m[1]!) ?? [];
    list.push(value);
    map.set(m[1]!, list);
  }
  return map;
}

/** DER hex of our Development PAA (the trust anchor of the device's generated PAI/DAC), for CTRL_PAA_DER_HEX. */
export function ourPaaDerHex(): string {
  const pem = readFileSync(join(REPO, "src/cert/dev-attestation/Chip-Development-PAA-Cert.pem"), "utf8");
  const b64 = pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  return Buffer.from(b64, "base64").toString("hex");
}

/** Starts OUR device (`opcreds start`, the compiled CLI from a fresh dist/) in `ns` and waits for its DEVICE_READY line. */
export async function startOurDevice(
  ns: Netns,
  options: { dataDir: string; port?: number; args?: readonly string[] },
): Promise<{ process: NsProcess; ready: Record<string, unknown> }> {
  ensureFreshDist();
  const p = spawnInNetns(
    ns,
    process.execPath,
    [
      join(REPO, "bin", "opcreds.js"),
      "start",
      "--data",
      options.dataDir,
      "--port",
      String(options.port ?? 5540),
      "--log-level",
      "debug",
      ...(options.args ?? ["--no-mdns"]),
    ],
    {},
  );
  try {
    const m = await waitForOutput(p, /DEVICE_READY (\{.*\})/, 60_000);
    return { process: p, ready: JSON.parse(m[1]!) as Record<string, unknown> };
  } catch (e) {
    await p.stop();
    throw e;
  }
}
