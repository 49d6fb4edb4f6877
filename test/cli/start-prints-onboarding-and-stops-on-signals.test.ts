// Audit of issue 5 ("npm start", onboarding): the real bin's `start`, each run inside `unshare -n`, prints the manual
// pairing code, the QR payload and the QR drawn in the terminal for the options given; SIGINT and SIGTERM both close it
// with exit status 0 and release the data directory; bad options are usage errors (exit 2, one line, no stack trace).
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { LOCK_FILE } from "../../src/node/data-dir-lock.ts";
import { decodeManualPairingCode, shortDiscriminator } from "../../src/node/onboarding/manual-pairing-code.ts";
import { encodeQrCode } from "../../src/node/onboarding/qr-code.ts";
import { decodeQrCodePayload } from "../../src/node/onboarding/qr-code-payload.ts";
import { renderQrForTerminal } from "../../src/node/onboarding/qr-terminal.ts";
import { REPO, tempDir } from "./cli-harness.ts";

type Run = { child: ChildProcess; out: () => string; err: () => string; exited: Promise<number | string> };

/** `unshare -n node bin/opcreds.js ...args` (unshare execs, so the child's pid is the node process). */
function startInNamespace(args: readonly string[]): Run {
  const child = spawn("unshare", ["-n", process.execPath, join(REPO, "bin", "opcreds.js"), ...args], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | string>((r) => child.on("exit", (code, signal) => r(code ?? signal ?? "?")));
  return { child, out: () => out, err: () => err, exited };
}

async function waitReady(run: Run): Promise<Record<string, unknown>> {
  const end = Date.now() + 90_000;
  let gone = false;
  void run.exited.then(() => {
    gone = true;
  });
  for (;;) {
    const m = /DEVICE_READY (\{.*\})/.exec(run.out());
    if (m) return JSON.parse(m[1]!) as Record<string, unknown>;
    if (gone || Date.now() > end) {
      run.child.kill("SIGKILL");
      assert.fail(`no DEVICE_READY (${gone ? "exited" : "timeout"}):\n${run.out()}\n${run.err()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Checks the human-readable onboarding block against the options the device was started with. */
function checkOnboardingOutput(
  out: string,
  want: { passcode: number; discriminator: number; vendorId: number; productId: number },
): void {
  const manual = /^Manual pairing code: (\d{11})$/m.exec(out);
  assert.ok(manual, out);
  const m = decodeManualPairingCode(manual[1]!);
  assert.equal(m.passcode, want.passcode);
  assert.equal(m.shortDiscriminator, shortDiscriminator(want.discriminator));
  const qr = /^QR code payload: +(MT:[0-9A-Z.-]+)$/m.exec(out);
  assert.ok(qr, out);
  const p = decodeQrCodePayload(qr[1]!);
  assert.equal(p.passcode, want.passcode);
  assert.equal(p.discriminator, want.discriminator);
  assert.equal(p.vendorId, want.vendorId);
  assert.equal(p.productId, want.productId);
  // The QR drawn in the terminal is exactly the symbol of the printed payload, between the payload and READY lines.
  const drawn = out.slice(out.indexOf(qr[0]) + qr[0].length + 1, out.indexOf("DEVICE_READY"));
  assert.equal(drawn.trimEnd(), renderQrForTerminal(encodeQrCode(qr[1]!)).trimEnd());
  assert.ok(drawn.split("\n").length > 10, "the QR code is drawn over several lines");
}

test("start prints the codes and the QR for the defaults; SIGINT closes it with status 0 and releases the data directory", async () => {
  const tmp = tempDir();
  try {
    const data = join(tmp.dir, "data");
    const run = startInNamespace(["start", "--data", data, "--no-mdns"]);
    const ready = await waitReady(run);
    assert.equal(ready.manualPairingCode, "34970112332");
    assert.equal(ready.commissioningWindow, "basic");
    checkOnboardingOutput(run.out(), { passcode: 20202021, discriminator: 3840, vendorId: 0xfff1, productId: 0x8000 });
    assert.ok(existsSync(join(data, LOCK_FILE)));
    run.child.kill("SIGINT");
    assert.equal(await run.exited, 0, run.err());
    assert.match(run.err(), /SIGINT: shutting down/);
    assert.doesNotMatch(run.err(), /^\s+at /m, "no stack trace");
    assert.equal(existsSync(join(data, LOCK_FILE)), false, "the lock is released");
  } finally {
    tmp.remove();
  }
});

test("start with --passcode/--discriminator/--vid/--pid/--port prints matching codes; SIGTERM closes it with status 0", async () => {
  const tmp = tempDir();
  try {
    const data = join(tmp.dir, "data");
    const run = startInNamespace([
      "start",
      "--data",
      data,
      "--no-mdns",
      "--port",
      "5599",
      "--passcode",
      "24681357",
      "--discriminator",
      "1234",
      "--vid",
      "0xFFF2",
      "--pid",
      "32769",
      "--log-level",
      "warn",
    ]);
    const ready = await waitReady(run);
    assert.equal(ready.port, 5599);
    checkOnboardingOutput(run.out(), { passcode: 24681357, discriminator: 1234, vendorId: 0xfff2, productId: 0x8001 });
    run.child.kill("SIGTERM");
    assert.equal(await run.exited, 0, run.err());
    assert.equal(existsSync(join(data, LOCK_FILE)), false);
  } finally {
    tmp.remove();
  }
});

test("start usage errors exit 2 with one line and no stack trace", async () => {
  const tmp = tempDir();
  try {
    for (const bad of [
      ["--passcode", "11111111"],
      ["--passcode", "abc"],
      ["--discriminator", "4096"],
      ["--port", "70000"],
      ["--vid", "0x1FFFF"],
      ["--log-level", "loud"],
    ]) {
      const run = startInNamespace(["start", "--data", join(tmp.dir, "d"), "--no-mdns", ...bad]);
      const code = await run.exited;
      const lines = run.err().trim().split("\n");
      assert.equal(code, 2, `${bad.join(" ")}: exit ${code}\n${run.err()}`);
      assert.equal(lines.length, 1, `${bad.join(" ")}: ${run.err()}`);
      assert.doesNotMatch(run.out(), /DEVICE_READY/);
    }
  } finally {
    tmp.remove();
  }
});
