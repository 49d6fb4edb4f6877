// Child processes of the tests (crash children, namespace scripts, soak and fuzz slices) start from compiled output
// instead of transpiling ~150 modules through tsx at every start: the product code comes from dist/ (`npm run build`,
// which `npm ci` runs through `prepare`), and the child's own test code is bundled by esbuild into one module under
// dist/test-children/ (compiled-child-bundle.mjs), with `import.meta` kept pointing at each source file.
// dist/ is checked file by file: when a source is newer than its output (or the output is missing), dist/ is built
// once, under a lock shared by the concurrent test processes; a build that leaves dist/ stale fails with the reason.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";

/** The repository root. */
const REPO = resolve(import.meta.dirname, "..", "..");
const SRC = join(REPO, "src");
const DIST_SRC = join(REPO, "dist", "src");
/** Held (as a directory) by the one process that builds dist/; others wait for it. */
const BUILD_LOCK = join(REPO, "dist", ".build-lock");
/** How long a process waits for another one's build, and the age after which a lock is taken as abandoned. */
const BUILD_WAIT_MS = 240_000;
const BUILD_LOCK_STALE_MS = 300_000;
/** What `npm run build` copies next to the compiled code besides the modules. */
const COPIED_ASSETS = ["cert/dev-attestation"];

/** The first source file under src/ whose compiled output is missing or older than it; undefined when dist/ is fresh. */
export function staleDistFile(dir = SRC): string | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const stale = staleDistFile(path);
      if (stale !== undefined) return stale;
    } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
      const out = join(DIST_SRC, relative(SRC, path)).replace(/\.ts$/, ".js");
      if (!existsSync(out) || statSync(out).mtimeMs < statSync(path).mtimeMs) return relative(REPO, path);
    }
  }
  for (const asset of COPIED_ASSETS) if (!existsSync(join(DIST_SRC, asset))) return `src/${asset}`;
  return undefined;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** `npm run build`, run directly (tsc, then the asset copy); type errors are the typecheck's business, not a child's. */
function build(): void {
  const tsc = join(REPO, "node_modules", "typescript", "bin", "tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: REPO, encoding: "utf8" });
  // tsc exits 2 when it reported errors but still wrote every output.
  if (r.error !== undefined || (r.status !== 0 && r.status !== 2)) {
    throw new RangeError(`building dist/ failed (tsc exit ${r.status}): ${r.error ?? r.stdout.slice(0, 2000)}`);
  }
  for (const asset of COPIED_ASSETS) cpSync(join(SRC, asset), join(DIST_SRC, asset), { recursive: true });
}

/** Makes dist/ fresh (building it once if a source is newer) or throws a RangeError naming the stale file. */
export function ensureFreshDist(): void {
  if (staleDistFile() === undefined) return;
  mkdirSync(dirname(BUILD_LOCK), { recursive: true });
  const deadline = Date.now() + BUILD_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch {
      if (existsSync(BUILD_LOCK) && Date.now() - statSync(BUILD_LOCK).mtimeMs > BUILD_LOCK_STALE_MS) {
        rmSync(BUILD_LOCK, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new RangeError(`another process has been building dist/ for too long`);
      sleepSync(250);
    }
  }
  try {
    const stale = staleDistFile();
    if (stale !== undefined) {
      process.stderr.write(`dist/ is older than ${stale}: building it once (npm run build) for the test children\n`);
      build();
    }
  } finally {
    rmdirSync(BUILD_LOCK);
  }
  const still = staleDistFile();
  if (still !== undefined) throw new RangeError(`dist/ is stale after a build: ${still} has no fresh output`);
}

const compiled = new Map<string, string>();

/**
 * The child script `script` (a .ts file under the repository) compiled for `node` without tsx: returns the path of a
 * bundle under dist/test-children/ (removed when this process exits) whose product imports are dist/src/*.js.
 * Compiled once per process; dist/ is built first if it is stale.
 */
export function compiledChild(script: string): string {
  const source = resolve(REPO, script);
  const done = compiled.get(source);
  if (done !== undefined) return done;
  ensureFreshDist();
  const out = join(
    REPO,
    "dist",
    "test-children",
    relative(REPO, dirname(source)),
    `${basename(source, ".ts")}.${process.pid}.mjs`,
  );
  // esbuild (a dev dependency tsx already brings) runs in its own process: its plugins need its async API.
  const r = spawnSync(process.execPath, [join(REPO, "test", "support", "compiled-child-bundle.mjs"), source, out], {
    cwd: REPO,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new RangeError(`could not compile ${relative(REPO, source)}: ${r.error ?? r.stderr}`);
  process.once("exit", () => rmSync(out, { force: true }));
  compiled.set(source, out);
  return out;
}

/**
 * Node arguments that run `script` compiled (see `compiledChild`) in place of `--import tsx <script>`; any other
 * argument list, or any with OPCREDS_TEST_CHILDREN=tsx in the environment (debugging the sources), is unchanged.
 */
export function compiledArgs(args: readonly string[]): string[] {
  const [flag, loader, script, ...rest] = args;
  if (process.env.OPCREDS_TEST_CHILDREN === "tsx") return [...args];
  if (flag === "--import" && loader === "tsx" && script?.endsWith(".ts")) {
    return [compiledChild(script), ...rest];
  }
  return [...args];
}
