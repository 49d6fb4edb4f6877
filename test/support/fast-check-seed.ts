// Loaded before every test file (package.json test:unit): property tests draw from one seed per run, fixed by default so
// that a CI run is reproducible. FC_SEED=<n> replays a run; FC_SEED=random explores (a failure prints its seed).
import fc from "fast-check";

/** The default seed of `npm test`. */
const DEFAULT_SEED = 20261129;

const requested = process.env.FC_SEED;
const seed =
  requested === "random" ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : Number(requested ?? DEFAULT_SEED);
if (!Number.isSafeInteger(seed)) throw new RangeError(`FC_SEED must be an integer or "random", got ${requested}`);
fc.configureGlobal({ seed });
