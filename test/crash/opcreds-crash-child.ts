// Child of opcreds-crash.test.ts: runs commissioning, UpdateNOC, UpdateFabricLabel and RemoveFabric through the
// Operational Credentials cluster on SQLite storage until SIGKILLed. Before each persisting step it writes
// "A <seq> <snapshot>" (the state the step will produce) and after it "C <seq>", synchronously to fd 1.
import { createHash } from "node:crypto";
import { writeSync } from "node:fs";
import { loadAttestationProvider } from "../../src/cert/attestation-provider.ts";
import { NodeCrypto, nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { followingFabricIndex } from "../../src/fabric/fabric-index.ts";
import { SqliteStorage } from "../../src/storage/sqlite-storage.ts";
import { ANONYMOUS, ctx } from "../../src/tlv/tlv-node.ts";
import { nocResponseOf, TestCa, TestCommissioner, TestNode } from "../support/test-commissioner.ts";
import { CRASH_SUPPORTED_FABRICS, snapshot } from "./opcreds-crash-snapshot.ts";

const [dbPath, attDir, seqText] = process.argv.slice(2);
if (dbPath === undefined || attDir === undefined || seqText === undefined)
  throw new TypeError("usage: opcreds-crash-child <db> <attestation-dir> <seq-base>");
let seq = Number(seqText);
const rand = () => nodeCrypto.randomBytes(1)[0]! / 256;
const fail = (what: string): never => {
  throw new RangeError(what);
};

const attestation = await loadAttestationProvider(nodeCrypto, {
  dac: `${attDir}/dac.der`,
  pai: `${attDir}/pai.der`,
  cd: `${attDir}/cd.der`,
  dacKey: `${attDir}/dac-key.pem`,
});
const storage = await SqliteStorage.open(dbPath);
const node = await TestNode.create({ storage, supportedFabrics: CRASH_SUPPORTED_FABRICS, attestation });
writeSync(1, "ready\n");
/** Deterministic randomness from a seed, so a fabric's CA (root key, RCAC id) can be re-derived after a restart. */
function seeded(seed: string): (n: number) => Uint8Array {
  let counter = 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 32)
      out.set(
        createHash("sha256")
          .update(`${seed}/${counter++}`)
          .digest()
          .subarray(0, n - i),
        i,
      );
    return out;
  };
}
/** The commissioner of fabric `fabricId`: its CA derives from the fabric id; odd fabrics use an ICAC. */
function commissionerFor(fabricId: bigint): TestCommissioner {
  const ca = new TestCa({ crypto: new NodeCrypto(seeded(`ca-${fabricId}`)) });
  return new TestCommissioner(node, { fabricId, nodeId: 0x1000n + fabricId, withIcac: fabricId % 2n === 1n, ca });
}
const announce = (expected: string) => writeSync(1, `A ${seq} ${expected}\n`);
const done = () => writeSync(1, `C ${seq}\n`);

for (;;) {
  seq++;
  const fabrics = node.fabrics.fabrics();
  const r = rand();
  if (fabrics.length < CRASH_SUPPORTED_FABRICS && (fabrics.length === 0 || r < 0.4)) {
    // Commissioning: PASE, ArmFailSafe, CSR, AddTrustedRoot, AddNOC, then CommissioningComplete over CASE.
    const th = commissionerFor(BigInt(seq));
    const pase = node.openPase();
    await node.armFailSafe(pase, 900);
    const { csr } = await th.csrRequest(pase);
    await th.addTrustedRoot(pase);
    const added = nocResponseOf(await th.addNoc(pase, th.issue(csr ?? fail("CSR"), { nodeId: BigInt(seq) })));
    if (added.fabricIndex === undefined) fail(`AddNOC ${added.statusCode}`);
    th.fabricIndex = added.fabricIndex as never;
    announce(snapshot(node.fabrics.fabrics(), followingFabricIndex(added.fabricIndex as never)));
    if ((await node.commissioningComplete(th.openCase())) !== 0) fail("CommissioningComplete");
    done();
  } else if (r < 0.6) {
    const victim = fabrics[Math.floor(rand() * fabrics.length)]!;
    const cs = node.openCase(victim.fabricIndex, 0x1000n + victim.fabricId);
    announce(
      snapshot(
        fabrics.filter((f) => f.fabricIndex !== victim.fabricIndex),
        node.fabrics.nextFabricIndex,
      ),
    );
    const out = nocResponseOf(
      await node.invoke(cs, 0x0a, {
        tag: ANONYMOUS,
        type: "struct",
        elements: [{ tag: ctx(0), type: "uint", value: BigInt(victim.fabricIndex) }],
      }),
    );
    if (out.statusCode !== 0) fail("RemoveFabric");
    done();
  } else if (r < 0.8) {
    const target = fabrics[Math.floor(rand() * fabrics.length)]!;
    const label = `L${seq}`;
    const cs = node.openCase(target.fabricIndex, 0x1000n + target.fabricId);
    announce(
      snapshot(
        fabrics.map((f) => (f.fabricIndex === target.fabricIndex ? { ...f, label } : f)),
        node.fabrics.nextFabricIndex,
      ),
    );
    const out = nocResponseOf(
      await node.invoke(cs, 0x09, {
        tag: ANONYMOUS,
        type: "struct",
        elements: [{ tag: ctx(0), type: "utf8", value: label }],
      }),
    );
    if (out.statusCode !== 0) fail("UpdateFabricLabel");
    done();
  } else {
    // UpdateNOC under the fabric's own root (the CA is re-derived from the fabric id), then CommissioningComplete.
    const target = fabrics[Math.floor(rand() * fabrics.length)]!;
    const th = commissionerFor(target.fabricId);
    const cs = node.openCase(target.fabricIndex, th.nodeId);
    if ((await node.armFailSafe(cs, 900)) !== 0) fail("ArmFailSafe");
    const { csr } = await th.csrRequest(cs, { forUpdate: true });
    const chain = th.issue(csr ?? fail("update CSR"), { nodeId: 0x2000n + BigInt(seq) });
    if (nocResponseOf(await th.updateNoc(cs, chain)).statusCode !== 0) fail("UpdateNOC");
    announce(snapshot(node.fabrics.fabrics(), node.fabrics.nextFabricIndex));
    if ((await node.commissioningComplete(node.openCase(target.fabricIndex, th.nodeId))) !== 0) fail("complete");
    done();
  }
}
