// A seed-pinned slice of `npm run fuzz`: every decoder target takes a few hundred mutated inputs with no failure, and
// the engine itself reports what it must (a foreign exception, a slow input, as reproducer files) and nothing else.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { allFuzzTargets } from "../../bench/fuzz/all-targets.ts";
import { runFuzzTarget } from "../../bench/fuzz/fuzz-engine.ts";
import { FuzzRandom } from "../../bench/fuzz/fuzz-random.ts";
import { mutate } from "../../bench/fuzz/mutator.ts";
import { MalformedError } from "../../src/bytes/errors.ts";

const SEED = 20261207;
const INPUTS = Number(process.env.OPCREDS_FUZZ_SLICE_INPUTS ?? 300);
const dir = mkdtempSync(join(tmpdir(), "opcreds-fuzz-slice-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("every decoder target survives a seed-pinned slice of mutated inputs", { timeout: 300_000 }, async () => {
  const targets = await allFuzzTargets(SEED);
  const names = targets.map((t) => t.name);
  // The list of decoders, each present by at least one target.
  for (const prefix of [
    "tlv/",
    "der/",
    "cert/matter-cert",
    "cert/x509",
    "cert/csr",
    "cert/cms",
    "cert/certification-declaration",
    "cert/nocsr-elements",
    "cert/attestation-elements",
    "message/message-header",
    "message/protocol-header",
    "sc/status-report",
    "sc/pase/pbkdf-param-request",
    "sc/pase/pake3",
    "sc/case/sigma1",
    "sc/case/sigma2-resume",
    "im/InvokeRequestMessage",
    "im/ReportDataMessage",
    "clusters/operational-credentials/add-noc#AddNocRequest",
    "node/mdns/dns-message",
  ])
    assert.ok(
      names.some((n) => n.startsWith(prefix)),
      `no target for ${prefix}`,
    );
  assert.equal(new Set(names).size, names.length, "target names are unique");
  for (const t of targets) {
    assert.ok(t.seeds.length > 0, `${t.name} has seeds`);
    const r = runFuzzTarget(t, { inputs: INPUTS, seed: SEED, deadline: Date.now() + 60_000, reproducerDir: dir });
    assert.deepEqual(r.failures, [], `${t.name} failed`);
    assert.equal(r.inputs, INPUTS, `${t.name} ran every input`);
  }
});

test("the mutator is a function of the seed", () => {
  const seeds = [Uint8Array.of(0x15, 0x24, 0x00, 0x01, 0x18), Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x05)];
  const run = (seed: number) => {
    const rng = new FuzzRandom(seed);
    return Array.from({ length: 200 }, () => Buffer.from(mutate(rng, seeds)).toString("hex"));
  };
  assert.deepEqual(run(7), run(7));
  assert.notDeepEqual(run(7), run(8));
});

test("a foreign exception is a failure saved as a reproducer; a refusal is not", () => {
  const out = join(dir, "exceptions");
  const r = runFuzzTarget(
    {
      name: "test/throws-on-0xff",
      decode: (b) => {
        if (b.includes(0xff)) throw new TypeError("boom");
        throw new MalformedError("tlv.schema", "refused");
      },
      seeds: [Uint8Array.of(1, 2, 3, 4)],
    },
    { inputs: 2000, seed: SEED, deadline: Date.now() + 60_000, reproducerDir: out },
  );
  assert.equal(r.failures.length, 1, "one distinct failure");
  assert.equal(r.failures[0]?.kind, "exception");
  const file = r.failures[0]?.file;
  assert.ok(file !== undefined && readdirSync(out).includes(file.split("/").at(-1) ?? ""));
  assert.ok(new Uint8Array(readFileSync(file)).includes(0xff), "the reproducer holds the failing input");
});

test("an input slower than the limit is a failure", () => {
  const r = runFuzzTarget(
    {
      name: "test/slow",
      decode: (b) => {
        const until = Date.now() + (b.length > 6 ? 30 : 0);
        while (Date.now() < until) {
          // busy: a decoder stuck on this input
        }
      },
      seeds: [Uint8Array.of(1, 2, 3, 4)],
    },
    { inputs: 40, seed: SEED, deadline: Date.now() + 120_000, reproducerDir: undefined, slowMs: 10 },
  );
  assert.ok(
    r.failures.some((f) => f.kind === "slow"),
    JSON.stringify(r.failures),
  );
});
