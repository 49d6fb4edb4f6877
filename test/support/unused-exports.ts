// Finds exported names under src/ that no other module imports: the guard against dead code (issue "a house the next
// maintainer can read"). It parses (no type check) every .ts file of src/, test/ and bench/ with the TypeScript
// parser, records each file's exports and every import, re-export and dynamic import between files, and reports the
// exports of src/ nobody imports. The explicit public entry points of package.json (not the folder wildcards) are the
// package's API and count as imported.
//
// The rule for types: a value (function, const, class) nobody imports is reported. A type (type alias, interface)
// nobody imports is reported too, unless a live export of its own file names it in its signature (parameter, return,
// property or annotation types, heritage, `typeof`, another exported type's body; function bodies do not count): a
// caller must be able to name what a public signature takes and returns. A value and a type of one name (the `as
// const` object of a spec enum and its union) are one export, kept together. Live means imported elsewhere, a public
// entry point, or kept by this rule (a fixpoint).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

/** One exported name nothing imports. */
export type UnusedExport = { readonly file: string; readonly name: string; readonly kind: "value" | "type" };

function listTs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listTs(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

const hasModifier = (node: ts.Node, kind: ts.SyntaxKind): boolean =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);

/** The src/ files named by an explicit (non-wildcard) `exports` entry of package.json. */
function publicEntryFiles(root: string): Set<string> {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { exports?: Record<string, unknown> };
  const out = new Set<string>();
  for (const [key, target] of Object.entries(pkg.exports ?? {})) {
    if (key.includes("*")) continue;
    const js = typeof target === "string" ? target : (target as { default?: string }).default;
    if (js === undefined) continue;
    out.add(resolve(root, js.replace(/^\.\/dist\//, "").replace(/\.js$/, ".ts")));
  }
  return out;
}

/** One exported declaration of a file: its kind and the type names its signature mentions. */
type ExportInfo = { kind: "value" | "type"; signatureTypes: Set<string> };

/** The type names a declaration's signature mentions (bodies and private class members left out). */
function signatureTypeNames(decl: ts.Node): Set<string> {
  const out = new Set<string>();
  const leftmost = (n: ts.EntityName | ts.Expression): string | undefined =>
    ts.isIdentifier(n)
      ? n.text
      : ts.isQualifiedName(n)
        ? leftmost(n.left)
        : ts.isPropertyAccessExpression(n)
          ? leftmost(n.expression)
          : undefined;
  const walk = (n: ts.Node): void => {
    if (ts.isBlock(n)) return;
    if (
      (ts.isPropertyDeclaration(n) || ts.isMethodDeclaration(n) || ts.isGetAccessor(n) || ts.isSetAccessor(n)) &&
      (ts.isPrivateIdentifier(n.name) || hasModifier(n, ts.SyntaxKind.PrivateKeyword))
    ) {
      return;
    }
    if (ts.isTypeReferenceNode(n)) {
      const name = leftmost(n.typeName);
      if (name !== undefined) out.add(name);
    } else if (ts.isExpressionWithTypeArguments(n)) {
      const name = leftmost(n.expression);
      if (name !== undefined) out.add(name);
    } else if (ts.isTypeQueryNode(n)) {
      const name = leftmost(n.exprName);
      if (name !== undefined) out.add(name);
    }
    ts.forEachChild(n, walk);
  };
  walk(decl);
  return out;
}

/** Every exported name of src/ that no file of src/, test/ or bench/ imports, by the rule of the module doc. */
export function findUnusedExports(root: string): UnusedExport[] {
  const srcFiles = listTs(join(root, "src"));
  const allFiles = [...srcFiles, ...listTs(join(root, "test")), ...listTs(join(root, "bench"))];
  const exported = new Map<string, Map<string, ExportInfo>>();
  const used = new Map<string, Set<string>>();
  const wholeModuleUsed = new Set<string>();
  const markUsed = (file: string, name: string) => {
    const s = used.get(file) ?? new Set<string>();
    s.add(name);
    used.set(file, s);
  };
  const resolveSpecifier = (from: string, spec: string): string | undefined =>
    spec.startsWith(".") ? resolve(dirname(from), spec) : undefined;

  for (const file of allFiles) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue; // a file removed while the tree is walked (another process editing it)
    }
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    const names = new Map<string, ExportInfo>();
    const addExport = (name: string, kind: "value" | "type", decl: ts.Node | undefined) => {
      const prior = names.get(name);
      const signatureTypes = decl === undefined ? new Set<string>() : signatureTypeNames(decl);
      if (prior === undefined) names.set(name, { kind, signatureTypes });
      else {
        // A same-named value and type are one export; it is a value when either is.
        if (kind === "value") prior.kind = "value";
        for (const t of signatureTypes) prior.signatureTypes.add(t);
      }
    };
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        const target = resolveSpecifier(file, node.moduleSpecifier.text);
        const clause = node.importClause;
        if (target !== undefined && clause !== undefined) {
          if (clause.name !== undefined) markUsed(target, "default");
          const bindings = clause.namedBindings;
          if (bindings !== undefined && ts.isNamespaceImport(bindings)) wholeModuleUsed.add(target);
          else if (bindings !== undefined) {
            for (const el of bindings.elements) markUsed(target, (el.propertyName ?? el.name).text);
          }
        }
      } else if (ts.isExportDeclaration(node)) {
        const target =
          node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)
            ? resolveSpecifier(file, node.moduleSpecifier.text)
            : undefined;
        const clause = node.exportClause;
        if (clause === undefined) {
          if (target !== undefined) wholeModuleUsed.add(target);
        } else if (ts.isNamedExports(clause)) {
          for (const el of clause.elements) {
            addExport(el.name.text, node.isTypeOnly || el.isTypeOnly ? "type" : "value", undefined);
            if (target !== undefined) markUsed(target, (el.propertyName ?? el.name).text);
          }
        }
      } else if (
        ts.isCallExpression(node) &&
        node.expression.kind === ts.SyntaxKind.ImportKeyword &&
        node.arguments[0] !== undefined &&
        ts.isStringLiteralLike(node.arguments[0])
      ) {
        const target = resolveSpecifier(file, node.arguments[0].text);
        if (target !== undefined) wholeModuleUsed.add(target);
      } else if (ts.isImportTypeNode(node)) {
        const arg = node.argument;
        if (ts.isLiteralTypeNode(arg) && ts.isStringLiteral(arg.literal)) {
          const target = resolveSpecifier(file, arg.literal.text);
          if (target !== undefined) wholeModuleUsed.add(target);
        }
      } else if (node.parent === source && hasModifier(node, ts.SyntaxKind.ExportKeyword)) {
        if (ts.isVariableStatement(node)) {
          for (const d of node.declarationList.declarations) {
            if (ts.isIdentifier(d.name)) addExport(d.name.text, "value", d);
          }
        } else if ((ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) && node.name !== undefined) {
          addExport(node.name.text, "value", node);
        } else if ((ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) && node.name !== undefined) {
          addExport(node.name.text, "type", node);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    exported.set(file, names);
  }

  const entries = publicEntryFiles(root);
  const out: UnusedExport[] = [];
  for (const file of srcFiles) {
    if (entries.has(file) || wholeModuleUsed.has(file)) continue;
    const names = exported.get(file) ?? new Map<string, ExportInfo>();
    const imported = used.get(file) ?? new Set<string>();
    // Live: imported elsewhere; then, to a fixpoint, every type a live export's signature names.
    const live = new Set([...names.keys()].filter((n) => imported.has(n)));
    for (let grew = true; grew; ) {
      grew = false;
      for (const name of [...live]) {
        for (const t of names.get(name)?.signatureTypes ?? []) {
          if (!live.has(t) && names.has(t)) {
            live.add(t);
            grew = true;
          }
        }
      }
    }
    for (const [name, info] of names) {
      if (!live.has(name)) out.push({ file: relative(root, file), name, kind: info.kind });
    }
  }
  return out.sort((a, b) => a.file.localeCompare(b.file) || a.name.localeCompare(b.name));
}
