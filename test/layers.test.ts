// The import graph of src/ points one way (STYLE.md, Layout): a folder imports only lower layers, and no file cycles.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";

const SRC = resolve(import.meta.dirname, "..", "src");

/** Layer rank of each top-level folder of src/; a file may import its own folder or a folder of strictly lower rank. */
const RANK: Record<string, number> = {
  bytes: 0,
  tlv: 1,
  der: 1,
  crypto: 2,
  cert: 3,
  storage: 3,
  fabric: 4,
  message: 4,
  mrp: 5,
  sc: 6,
  im: 6,
  clusters: 7,
  node: 8,
  admin: 9,
  cli: 10,
};

function listTs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listTs(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"/g)) {
    out.push(resolve(dirname(file), m[1]!));
  }
  for (const m of text.matchAll(/import\(\s*"(\.[^"]+)"\s*\)/g)) out.push(resolve(dirname(file), m[1]!));
  return out;
}

const layerOf = (file: string): string => relative(SRC, file).split("/")[0]!;

test("every src folder is a known layer and imports only lower layers", () => {
  const files = listTs(SRC);
  assert.ok(files.length > 0);
  for (const f of files) {
    const from = layerOf(f);
    assert.ok(from in RANK, `${relative(SRC, f)}: folder ${from} is not a known layer`);
    for (const target of importsOf(f)) {
      const to = layerOf(target);
      if (to === from) continue;
      assert.ok(to in RANK, `${relative(SRC, f)} imports outside src layers: ${target}`);
      assert.ok(RANK[to]! < RANK[from]!, `${relative(SRC, f)} (${from}) imports upward or sideways into ${to}`);
    }
  }
});

test("no import cycles between files", () => {
  const files = listTs(SRC);
  const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => t.startsWith(SRC))]));
  const state = new Map<string, 1 | 2>();
  const visit = (f: string, stack: string[]): void => {
    if (state.get(f) === 2) return;
    assert.notEqual(state.get(f), 1, `import cycle: ${[...stack, f].map((x) => relative(SRC, x)).join(" -> ")}`);
    state.set(f, 1);
    for (const t of graph.get(f) ?? []) visit(t, [...stack, f]);
    state.set(f, 2);
  };
  for (const f of files) visit(f, []);
});

test("no index.ts barrels inside the tree", () => {
  assert.deepEqual(
    listTs(SRC).filter((f) => f.endsWith("/index.ts")),
    [],
  );
});
