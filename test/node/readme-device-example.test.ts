// The README's "A device from code" example runs as written: copied into a directory of this checkout (so that
// `matter-opcreds/node` resolves through the package's self-reference, with the `source` condition) and started inside
// a private network namespace, it prints its pairing code, the matter.js controller commissions it and toggles the
// plug, the example's listeners print what happened, and SIGINT stops it cleanly.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  createNetns,
  type NsProcess,
  REPO,
  runController,
  spawnInNetns,
  tail,
  waitForOutput,
} from "../interop/matterjs/harness.ts";

/** The TypeScript block of the README's device API section. */
function readmeExample(): string {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const start = readme.indexOf("## A device from code");
  assert.ok(start >= 0, "the README has a device API section");
  const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block !== undefined, "the device API section has a ts block");
  return block;
}

test("the README's device example runs as written: commissioned, the plug toggled, stopped by SIGINT", async () => {
  assert.equal(process.getuid?.(), 0, "needs root to create a network namespace");
  const example = readmeExample();
  assert.ok(example.split("\n").length <= 25, "the example stays short");
  // Inside the checkout: a package's self-reference resolves only from files within its scope.
  const dir = mkdtempSync(join(REPO, ".readme-device-example-"));
  const ns = createNetns("lo");
  let device: NsProcess | undefined;
  try {
    writeFileSync(join(dir, "device.ts"), example);
    device = spawnInNetns(
      ns,
      process.execPath,
      ["--conditions=source", "--import", "tsx", "device.ts"],
      {},
      { cwd: dir },
    );
    const code = (await waitForOutput(device, /Manual pairing code: (\d{11})/, 60_000))[1]!;
    const run = await runController(ns, {
      CTRL_STORAGE: join(dir, "controller"),
      CTRL_PAIRING_CODE: code,
      CTRL_MINIMAL: "1",
      CTRL_ONOFF_ENDPOINT: "2",
    });
    const log = `controller:\n${tail(run.log, 40)}\n--- example:\n${tail(device.output(), 40)}`;
    assert.equal((run.results.get("summary")?.[0] as { ok?: boolean } | undefined)?.ok, true, log);
    assert.equal(run.first("reconnected").onOff, false, log);
    await waitForOutput(device, /endpoint 2 OnOff\.OnOff = false \(node\)/, 10_000);
    const out = device.output();
    assert.match(out, /^endpoint 2 OnOff\.OnOff = true \(application\)$/m);
    assert.match(out, /^commissioned: fabric 1, node 1$/m);
    process.kill(device.pid, "SIGINT");
    const exited = await Promise.race([
      device.exited,
      new Promise<string>((r) => setTimeout(() => r("still running 15 s after SIGINT"), 15_000).unref()),
    ]);
    assert.equal(exited, 0, tail(device.output()));
  } finally {
    await device?.stop();
    ns.delete();
    rmSync(dir, { recursive: true, force: true });
  }
});
