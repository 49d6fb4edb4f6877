// Child of data-dir-lock.test.ts: takes the lock of the directory given as argv[2], prints `ready <pid>`, and holds it
// until its stdin ends (or 60 s pass, so a forgotten child never lingers).
import { acquireDataDirLock } from "../../src/node/data-dir-lock.ts";

const lock = acquireDataDirLock(process.argv[2]!);
process.stdout.write(`ready ${process.pid}\n`);
const bound = setTimeout(() => process.exit(3), 60_000);
process.stdin.resume();
process.stdin.on("end", () => {
  clearTimeout(bound);
  lock.release();
  process.exit(0);
});
