// One home for each constant and status set (issue 12 item 4): no value or type name is declared and exported by two
// files under src/. A value and a type of the same name in one file (`const X = {...} as const; type X = ...`) are one
// home; a re-export (`export { X } from "./x.ts"`, as the public entry points do) names the same binding, not a second one.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { test } from "node:test";
import ts from "typescript";

const ROOT = resolve(import.meta.dirname, "..");

function listTs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listTs(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** The names a file declares with `export` (top-level variables, functions, classes, interfaces, type aliases). */
function exportedDeclarations(text: string): Set<string> {
  const source = ts.createSourceFile("x.ts", text, ts.ScriptTarget.ES2022, true);
  const out = new Set<string>();
  for (const st of source.statements) {
    const exported =
      ts.canHaveModifiers(st) && (ts.getModifiers(st) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (!exported) continue;
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) out.add(d.name.text);
    } else if (
      (ts.isFunctionDeclaration(st) ||
        ts.isClassDeclaration(st) ||
        ts.isInterfaceDeclaration(st) ||
        ts.isTypeAliasDeclaration(st)) &&
      st.name !== undefined
    ) {
      out.add(st.name.text);
    }
  }
  return out;
}

test("the scan sees each kind of exported declaration and nothing else", () => {
  const names = exportedDeclarations(
    "export const A = 1; export type A = 1; export function f() {} export class C {} export interface I {}\n" +
      'export type T = 1; const local = 2; export { local }; export { X } from "./x.ts";',
  );
  assert.deepEqual([...names].sort(), ["A", "C", "I", "T", "f"]);
});

test("no name is exported by two files under src/", () => {
  const homes = new Map<string, string[]>();
  for (const file of listTs(join(ROOT, "src"))) {
    for (const name of exportedDeclarations(readFileSync(file, "utf8"))) {
      homes.set(name, [...(homes.get(name) ?? []), relative(ROOT, file)]);
    }
  }
  const twice = [...homes]
    .filter(([, files]) => files.length > 1)
    .map(([name, files]) => `${name}: ${files.join(", ")}`);
  assert.deepEqual(twice, [], "give each name one home in the lowest layer that needs it and import it elsewhere");
});
