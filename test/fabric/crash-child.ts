// Child process of crash.test.ts: commits fabric-table changes in a loop until it is SIGKILLed. Before each commit it
// writes "A <seq> <snapshot>" (the state the commit will produce) and after it "C <seq>", synchronously to fd 1.
import { randomBytes } from "node:crypto";
import { writeSync } from "node:fs";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { FabricTable } from "../../src/fabric/fabric-table.ts";
import { SqliteStorage } from "../../src/storage/sqlite-storage.ts";
import { CRASH_SUPPORTED_FABRICS, tableSnapshot } from "./crash-snapshot.ts";
import { transactionFor } from "./fixtures.ts";

const [dbPath, seedText] = process.argv.slice(2);
if (dbPath === undefined || seedText === undefined) throw new TypeError("usage: crash-child <db> <seq-base>");
let seq = Number(seedText);
const rand = () => randomBytes(1)[0]! / 256;

const storage = await SqliteStorage.open(dbPath);
const table = await FabricTable.open(storage, nodeCrypto, { supportedFabrics: CRASH_SUPPORTED_FABRICS });
writeSync(1, "ready\n");

for (;;) {
  seq++;
  const fabrics = table.fabrics();
  const r = rand();
  let expected: string;
  if (fabrics.length < CRASH_SUPPORTED_FABRICS && (fabrics.length === 0 || r < 0.45)) {
    const root = nodeCrypto.generateKeyPair().publicKey.raw;
    transactionFor(table).addPendingRoot(randomBytes(64 + Math.floor(rand() * 300)), root);
    const key = transactionFor(table).allocatePendingOperationalKey();
    const index = transactionFor(table).addPendingFabric({
      noc: randomBytes(100 + Math.floor(rand() * 300)),
      icac: rand() < 0.5 ? null : randomBytes(200),
      fabricId: BigInt(seq),
      nodeId: BigInt(seq) + 1n,
      cats: rand() < 0.3 ? [0xabcd0001] : [],
      nocPublicKey: key.publicKey.raw,
      vendorId: 0xfff1,
    });
    await table.setLabel(index, `s${seq}`);
    expected = tableSnapshot(table.fabrics(), index === 254 ? 1 : index + 1);
    writeSync(1, `A ${seq} ${expected}\n`);
    await transactionFor(table).commit();
  } else if (r < 0.7) {
    const victim = fabrics[Math.floor(rand() * fabrics.length)]!;
    expected = tableSnapshot(
      fabrics.filter((f) => f.fabricIndex !== victim.fabricIndex),
      table.nextFabricIndex,
    );
    writeSync(1, `A ${seq} ${expected}\n`);
    await table.remove(victim.fabricIndex);
  } else {
    const target = fabrics[Math.floor(rand() * fabrics.length)]!;
    const key = transactionFor(table).allocatePendingOperationalKey(target.fabricIndex);
    transactionFor(table).updatePendingFabric(target.fabricIndex, {
      noc: randomBytes(150),
      icac: null,
      fabricId: target.fabricId,
      nodeId: BigInt(seq) + 7n,
      cats: [],
      nocPublicKey: key.publicKey.raw,
    });
    await table.setLabel(target.fabricIndex, `u${seq}`);
    expected = tableSnapshot(table.fabrics(), table.nextFabricIndex);
    writeSync(1, `A ${seq} ${expected}\n`);
    await transactionFor(table).commit();
  }
  writeSync(1, `C ${seq}\n`);
}
