// Every "§" reference in src/ and test/ resolves inside the repository: a section (or §6 item) of docs/conformance.md,
// or an entry of its "Other documents cited in the code" table for the Core spec, X.690, X.680 and RFC sections.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { test } from "node:test";

const ROOT = resolve(import.meta.dirname, "..", "..");
const DOC = join(ROOT, "docs", "conformance.md");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "vectors" ? [] : sourceFiles(path);
    return /\.(ts|mjs)$/.test(e.name) ? [path] : [];
  });
}

/** Section numbers the doc defines: "## 2." / "### 1.4 ..." headings, and the external-documents table. */
function docAnchors(): { sections: Set<string>; external: Set<string> } {
  const text = readFileSync(DOC, "utf8");
  const sections = new Set<string>();
  for (const m of text.matchAll(/^#{2,3} (\d+(?:\.\d+)*)[. ]/gm)) sections.add(m[1]!);
  const externalPart = text.slice(text.indexOf("## 8."));
  const external = new Set<string>();
  for (const m of externalPart.matchAll(/§(\d+(?:\.\d+)*)/g)) external.add(m[1]!);
  return { sections, external };
}

/** Every § reference of the tree: "§1.4", "§6 item 8" (→ 6.8), "§ 2", with file and line. */
function references(): { ref: string; where: string }[] {
  const out: { ref: string; where: string }[] = [];
  for (const file of [...sourceFiles(join(ROOT, "src")), ...sourceFiles(join(ROOT, "test"))]) {
    const lines = readFileSync(file, "utf8").split("\n");
    lines.forEach((line, i) => {
      for (const m of line.matchAll(/§ ?(\d+(?:\.\d+)*)(?: items? (\d+))?/g)) {
        const ref = m[2] === undefined ? m[1]! : `${m[1]}.${m[2]}`;
        out.push({ ref, where: `${relative(ROOT, file)}:${i + 1}` });
      }
    });
  }
  return out;
}

test("docs/conformance.md numbers its sections 0-8 and the §6 items 1-22", () => {
  const { sections } = docAnchors();
  for (const s of ["0", "0.1", "0.4", "1", "1.11", "2", "3.6", "4.5", "5.3", "6", "7", "8"])
    assert.ok(sections.has(s), s);
  for (let i = 1; i <= 22; i++) assert.ok(sections.has(`6.${i}`), `6.${i}`);
});

test("every § reference in src/ and test/ names a section of docs/conformance.md or a listed external section", () => {
  const { sections, external } = docAnchors();
  const refs = references();
  assert.ok(refs.length > 200, `found only ${refs.length} references`);
  const unresolved = refs.filter((r) => !sections.has(r.ref) && !external.has(r.ref));
  assert.deepEqual(
    unresolved.map((r) => `${r.where}: §${r.ref}`),
    [],
  );
});
