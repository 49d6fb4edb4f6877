/**
 * Bundles one test child script for compiled-child.ts (a separate process because esbuild's plugins need its async
 * API and the callers are synchronous): `node compiled-child-bundle.mjs <script.ts> <out.mjs>`. The child's own test
 * code is bundled; product modules (src/*.ts) stay separate modules imported from dist/src/*.js.
 */
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const REPO = resolve(import.meta.dirname, "..", "..");
const SRC = join(REPO, "src");
const DIST_SRC = join(REPO, "dist", "src");
const [source, out] = process.argv.slice(2);
if (source === undefined || out === undefined)
  throw new TypeError("usage: compiled-child-bundle <script.ts> <out.mjs>");

/**
 * Pins `import.meta` in a bundled module: once bundled it would name the bundle, while the code means its own file
 * (fixtures located with `import.meta.dirname`, `process.argv[1]` aside).
 * @param {string} path
 * @param {string} text
 */
function pinImportMeta(path, text) {
  return text
    .replaceAll("import.meta.dirname", JSON.stringify(dirname(path)))
    .replaceAll("import.meta.filename", JSON.stringify(path))
    .replaceAll("import.meta.url", JSON.stringify(pathToFileURL(path).href));
}

await build({
  entryPoints: [source],
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  outfile: out,
  logLevel: "error",
  plugins: [
    {
      name: "product-from-dist",
      setup(b) {
        // Product modules come from dist/: the compiled code `npm start` runs, each its own module.
        b.onResolve({ filter: /\.ts$/ }, (args) => {
          const target = resolve(args.resolveDir, args.path);
          if (!target.startsWith(`${SRC}/`)) return undefined;
          const js = join(DIST_SRC, relative(SRC, target)).replace(/\.ts$/, ".js");
          const specifier = relative(dirname(out), js);
          return { path: specifier.startsWith(".") ? specifier : `./${specifier}`, external: true };
        });
        b.onLoad({ filter: /\.ts$/ }, (args) => {
          const text = readFileSync(args.path, "utf8");
          return { contents: pinImportMeta(args.path, text), loader: "ts" };
        });
      },
    },
  ],
});
