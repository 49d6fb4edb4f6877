/**
 * `opcreds fabrics list|remove INDEX|reset --data DIR`: `list` reads the database read-only and works while the device
 * runs (one consistent snapshot; WAL lets it read beside the writer); `remove` and `reset` edit a STOPPED device's
 * data: they take the data directory's lock for the duration, so a running node (or one starting meanwhile) makes them
 * refuse. `reset` asks for confirmation on the terminal unless `--yes`.
 */
import { existsSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { OpcredsError } from "../bytes/errors.ts";
import { AccessControlStore } from "../fabric/access-control.ts";
import { fabricIndex } from "../fabric/fabric-index.ts";
import { FabricTable } from "../fabric/fabric-table.ts";
import { GroupKeyStore } from "../fabric/group-keys.ts";
import { hex64 } from "../fabric/operational-identity.ts";
import { acquireDataDirLock } from "../node/data-dir-lock.ts";
import { DATABASE_FILE } from "../node/device-node.ts";
import { ResumptionStore } from "../sc/case/resumption-record.ts";
import { SqliteStorage } from "../storage/sqlite-storage.ts";
import { type CliEnv, UsageError } from "./cli-env.ts";
import { DATA_DIR_ENV, DEFAULT_DATA_DIR, dataDirOption, parseIntegerOption } from "./start.ts";

type FabricRow = {
  fabricIndex: number;
  fabricId: string;
  nodeId: string;
  vendorId: number;
  label: string;
  compressedFabricId: string;
  rootPublicKey: string;
};

type Stores = { fabrics: FabricTable; acl: AccessControlStore; groupKeys: GroupKeyStore; resumption: ResumptionStore };

/** The device database of `dir`; a missing one is invalid input (exit 1), like a bad certificate. */
function databaseOf(dir: string): string {
  const db = join(dir, DATABASE_FILE);
  if (!existsSync(db)) throw new OpcredsError("fabrics.no-database", `no device database in ${dir}`);
  return db;
}

/** Runs `fn` on the stores of the data directory, holding its lock. */
async function withStores<T>(env: CliEnv, data: string, fn: (s: Stores) => Promise<T>): Promise<T> {
  const dir = resolve(env.cwd, data);
  const db = databaseOf(dir);
  const lock = acquireDataDirLock(dir);
  try {
    const storage = await SqliteStorage.open(db);
    try {
      const fabrics = await FabricTable.open(storage, env.crypto);
      return await fn({
        fabrics,
        acl: await AccessControlStore.open(storage),
        groupKeys: await GroupKeyStore.open(storage),
        resumption: await ResumptionStore.open(storage),
      });
    } finally {
      await storage.close();
    }
  } finally {
    lock.release();
  }
}

/** Adds `fabrics` to the program. */
export function addFabricsCommand(program: Command, env: CliEnv): void {
  const fabrics = program
    .command("fabrics")
    .description("list the fabrics of a device node (also while it runs), or edit those of a stopped one");
  fabrics
    .command("list")
    .description("list the committed fabrics (read-only; works while the device runs)")
    .option("--data <dir>", `data directory (default: $${DATA_DIR_ENV}, else ${DEFAULT_DATA_DIR})`)
    .option("--json", "one JSON array instead of text")
    .action(async (o: { data?: string; json?: boolean }) => {
      // No lock: a read-only snapshot of the committed state, also while the device runs and writes.
      const storage = await SqliteStorage.openReadOnly(
        databaseOf(resolve(env.cwd, dataDirOption(o.data, process.env))),
      );
      let rows: FabricRow[];
      try {
        rows = (await FabricTable.open(storage, env.crypto)).fabrics().map((f) => ({
          fabricIndex: f.fabricIndex,
          fabricId: hex64(f.fabricId),
          nodeId: hex64(f.nodeId),
          vendorId: f.vendorId,
          label: f.label,
          compressedFabricId: hex64(f.compressedFabricId),
          rootPublicKey: Buffer.from(f.rootPublicKey).toString("hex"),
        }));
      } finally {
        await storage.close();
      }
      if (o.json) {
        env.stdout(`${JSON.stringify(rows)}\n`);
        return;
      }
      if (rows.length === 0) env.stdout("no fabrics\n");
      for (const r of rows) {
        env.stdout(
          `${r.fabricIndex}\tfabric ${r.fabricId}\tnode ${r.nodeId}\tvendor 0x${r.vendorId.toString(16).toUpperCase().padStart(4, "0")}\tcfid ${r.compressedFabricId}\tlabel ${JSON.stringify(r.label)}\n`,
        );
      }
    });
  fabrics
    .command("remove")
    .description("remove one fabric with its ACL entries, group keys and CASE resumption records (device stopped)")
    .argument("<index>", "fabric index (1..254)")
    .option("--data <dir>", `data directory (default: $${DATA_DIR_ENV}, else ${DEFAULT_DATA_DIR})`)
    .action(async (indexText: string, o: { data?: string }) => {
      const n = parseIntegerOption("INDEX", indexText);
      if (n < 1 || n > 254) throw new UsageError(`INDEX must be 1..254: ${indexText}`);
      const index = fabricIndex(n);
      await withStores(env, dataDirOption(o.data, process.env), async ({ fabrics: t, acl, groupKeys, resumption }) => {
        if (t.committedFabric(index) === undefined)
          throw new OpcredsError("fabrics.unknown-index", `no fabric ${index}`);
        await t.remove(index, async (tx) => {
          await acl.removeFabric(index, tx);
          await groupKeys.removeFabric(index, tx);
        });
        await resumption.removeFabric(index);
      });
      env.stdout(`removed fabric ${index}\n`);
    });
  fabrics
    .command("reset")
    .description(
      "factory reset: delete every fabric and all node state (the attestation credentials are kept; device stopped)",
    )
    .option("--data <dir>", `data directory (default: $${DATA_DIR_ENV}, else ${DEFAULT_DATA_DIR})`)
    .option("--yes", "do not ask for confirmation (required when stdin is not a terminal)")
    .action(async (o: { data?: string; yes?: boolean }) => {
      const dir = resolve(env.cwd, dataDirOption(o.data, process.env));
      // The lock first: a running device is refused before anyone is asked anything.
      const lock = acquireDataDirLock(dir);
      try {
        if (o.yes !== true) {
          const answer = env.readAnswer?.(`delete every fabric and all node state in ${dir}? [y/N] `);
          if (answer === undefined) {
            throw new OpcredsError(
              "fabrics.reset-unconfirmed",
              `fabrics reset of ${dir} needs --yes when standard input is not a terminal`,
            );
          }
          if (!/^y(es)?$/i.test(answer.trim())) {
            throw new OpcredsError("fabrics.reset-cancelled", `fabrics reset of ${dir} cancelled: nothing deleted`);
          }
        }
        for (const suffix of ["", "-wal", "-shm"]) rmSync(join(dir, `${DATABASE_FILE}${suffix}`), { force: true });
      } finally {
        lock.release();
      }
      env.stdout(`reset ${dir}\n`);
    });
}
