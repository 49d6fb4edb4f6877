/**
 * Bundles test code with esbuild so that it runs on plain node, without tsx transpiling ~150 modules in every process:
 * the test's own code (and the test/support modules it imports) goes into one module per entry; product modules
 * (src/*.ts) stay separate modules imported from dist/src/*.js, the compiled code `npm start` runs.
 * Two uses: `node compiled-child-bundle.mjs <script.ts> <out.mjs>` bundles one test child (compiled-child.ts runs it in
 * a separate process because esbuild's plugins need its async API and the callers are synchronous), and
 * `node compiled-child-bundle.mjs --tests <file.ts>...` bundles test files under TEST_BUNDLES for `npm test`, in order.
 */
import { readFileSync, rmSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const REPO = resolve(import.meta.dirname, "..", "..");
const SRC = join(REPO, "src");
const DIST_SRC = join(REPO, "dist", "src");
/** Where `--tests` writes the bundles of the test files. */
export const TEST_BUNDLES = join("dist", "test-bundles");

/**
 * The bundle of the `index`th file given to `--tests` (test/a/b.test.ts -> <TEST_BUNDLES>/007/test/a/b.test.mjs),
 * relative to the repository. node --test (20.x) sorts the files it is given, so the index prefix is what keeps the
 * start order the caller chose.
 * @param {number} index
 * @param {string} file
 */
export function testBundlePath(index, file) {
  return join(TEST_BUNDLES, String(index).padStart(3, "0"), file.replace(/\.ts$/, ".mjs"));
}

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

/**
 * Bundles each entry (a .ts file under the repository) to its `out` (a path under `outdir` without extension, .mjs
 * added); with a source map (for the test files, run with --enable-source-maps) a failure's stack names the test's
 * own lines.
 * @param {{ in: string, out: string }[]} entryPoints
 * @param {string} outdir
 * @param {boolean} sourcemap
 */
async function bundle(entryPoints, outdir, sourcemap) {
  await build({
    entryPoints,
    outdir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: sourcemap ? "linked" : false,
    logLevel: "error",
    plugins: [
      {
        name: "product-from-dist",
        setup(b) {
          // Product modules come from dist/, each its own module (by absolute URL: entries sit at different depths).
          b.onResolve({ filter: /\.ts$/ }, (args) => {
            const target = resolve(args.resolveDir, args.path);
            if (!target.startsWith(`${SRC}/`)) return undefined;
            const js = join(DIST_SRC, relative(SRC, target)).replace(/\.ts$/, ".js");
            return { path: pathToFileURL(js).href, external: true };
          });
          b.onLoad({ filter: /\.ts$/ }, (args) => {
            const text = readFileSync(args.path, "utf8");
            return { contents: pinImportMeta(args.path, text), loader: "ts" };
          });
        },
      },
    ],
  });
}

if (process.argv[1] === import.meta.filename) {
  const [first, ...rest] = process.argv.slice(2);
  if (first === "--tests") {
    const outdir = join(REPO, TEST_BUNDLES);
    // A fresh directory: the bundle of a test file since deleted must not run.
    rmSync(outdir, { recursive: true, force: true });
    const entries = rest.map((file, i) => ({
      in: resolve(REPO, file),
      out: relative(outdir, join(REPO, testBundlePath(i, relative(REPO, resolve(REPO, file))))).replace(/\.mjs$/, ""),
    }));
    await bundle(entries, outdir, true);
  } else if (first !== undefined && rest.length === 1) {
    const out = resolve(rest[0]);
    await bundle([{ in: resolve(first), out: basename(out, ".mjs") }], dirname(out), false);
  } else {
    throw new TypeError("usage: compiled-child-bundle <script.ts> <out.mjs> | --tests <file.ts>...");
  }
}
