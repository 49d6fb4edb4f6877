// No dead code (issue 12 item 5): every name src/ exports is imported by some file of src/, test/ or bench/, or is a
// type a live export's signature names; the rule and its walk are test/support/unused-exports.ts.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { findUnusedExports } from "./support/unused-exports.ts";

const ROOT = resolve(import.meta.dirname, "..");

test("every export of src/ is imported somewhere (values) or named by a live signature (types)", () => {
  const unused = findUnusedExports(ROOT);
  assert.deepEqual(
    unused.map((u) => `${u.file}: ${u.name} (${u.kind})`),
    [],
    "drop the `export` of a name only its own file uses, delete what nothing uses",
  );
});

test("the finder reports an unused value and an unused type, not a type a live signature names", () => {
  const root = mkdtempSync(join(tmpdir(), "unused-exports-"));
  try {
    mkdirSync(join(root, "src"));
    mkdirSync(join(root, "test"));
    writeFileSync(join(root, "package.json"), "{}");
    writeFileSync(
      join(root, "src", "a.ts"),
      "export type Input = { n: number };\nexport interface Unnamed { x: number }\n" +
        "export function used(i: Input): number { const u: Unnamed = { x: 1 }; return i.n + u.x; }\n" +
        "export const UNUSED = 1;\n",
    );
    writeFileSync(join(root, "test", "a.test.ts"), 'import { used } from "../src/a.ts";\nused({ n: 1 });\n');
    assert.deepEqual(findUnusedExports(root), [
      { file: join("src", "a.ts"), name: "Unnamed", kind: "type" },
      { file: join("src", "a.ts"), name: "UNUSED", kind: "value" },
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
