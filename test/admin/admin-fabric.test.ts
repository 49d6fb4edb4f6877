// AdminFabric: the administrator's persisted CA and fabric. Defaults and option validation, issued chains that validate
// (with and without ICAC), newIcac, the serial counter stored before every signature and never reused after a reload,
// and damaged records read back as MalformedError naming the key.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ADMIN_FABRIC_KEY,
  ADMIN_NEXT_SERIAL_KEY,
  AdminFabric,
  DEFAULT_ADMIN_LABEL,
  DEFAULT_ADMIN_NODE_ID,
  DEFAULT_ADMIN_VENDOR_ID,
} from "../../src/admin/admin-fabric.ts";
import { bytesEqual, bytesToBigint } from "../../src/bytes/bytes.ts";
import { MalformedError, ValidationError } from "../../src/bytes/errors.ts";
import { compressedFabricId } from "../../src/cert/compressed-fabric-id.ts";
import { buildCsr } from "../../src/cert/csr.ts";
import { decodeMatterCert } from "../../src/cert/matter-cert-decode.ts";
import { validateChain } from "../../src/cert/validate.ts";
import type { Crypto } from "../../src/crypto/crypto.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { operationalGroupKey } from "../../src/fabric/group-keys.ts";
import { MemoryStorage } from "../../src/storage/memory-storage.ts";
import type { JsonValue, StorageValue } from "../../src/storage/storage.ts";

const NOW = new Date("2024-06-01T12:00:00Z");
const clock = () => NOW;
const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

function csr(): Uint8Array {
  return buildCsr(nodeCrypto, nodeCrypto.generateKeyPair());
}

function serialOf(tlv: Uint8Array): bigint {
  return bytesToBigint(decodeMatterCert(tlv).serialNumber);
}

test("a default fabric: random non-zero fabric id, 0xFFF1, label, node 112233, no ICAC (RCAC signs NOCs), and a CASE identity that validates", async () => {
  const fabric = await AdminFabric.create(new MemoryStorage(), nodeCrypto, {}, clock);
  assert.notEqual(fabric.fabricId, 0n);
  assert.equal(fabric.vendorId, DEFAULT_ADMIN_VENDOR_ID);
  assert.equal(fabric.label, DEFAULT_ADMIN_LABEL);
  assert.equal(fabric.adminNodeId, DEFAULT_ADMIN_NODE_ID);
  assert.equal(fabric.icac, null, "no ICAC unless asked for");
  assert.equal(fabric.ipkEpochKey.length, 16);
  assert.ok(bytesEqual(fabric.rootPublicKey, fabric.rcac.publicKey));
  assert.equal(fabric.compressedFabricId, compressedFabricId(nodeCrypto, fabric.rootPublicKey, fabric.fabricId));

  const cf = fabric.caseFabric;
  assert.equal(cf.fabricIndex, 1);
  assert.equal(cf.nodeId, DEFAULT_ADMIN_NODE_ID);
  assert.equal(cf.fabricId, fabric.fabricId);
  assert.ok(bytesEqual(cf.ipk, operationalGroupKey(nodeCrypto, fabric.ipkEpochKey, fabric.compressedFabricId)));
  const chain = validateChain({ rcac: cf.rcac, icac: cf.icac ?? undefined, noc: cf.noc, at: NOW });
  assert.equal(chain.nodeId, DEFAULT_ADMIN_NODE_ID);
  assert.equal(chain.fabricId, fabric.fabricId);
  assert.equal(chain.icacUnused, false);
  assert.ok(bytesEqual(decodeMatterCert(cf.noc).publicKey, cf.operationalKey.publicKey.raw));
});

test("two default fabrics draw different fabric ids and IPK epoch keys", async () => {
  const a = await AdminFabric.create(new MemoryStorage(), nodeCrypto, { icac: true }, clock);
  const b = await AdminFabric.create(new MemoryStorage(), nodeCrypto, { icac: true }, clock);
  assert.notEqual(a.fabricId, b.fabricId);
  assert.ok(!bytesEqual(a.ipkEpochKey, b.ipkEpochKey));
});

test("issueNoc with an ICAC: RCAC -> ICAC -> NOC validates with the node id, the fabric id and a 10-year NotAfter", async () => {
  const fabric = await AdminFabric.create(
    new MemoryStorage(),
    nodeCrypto,
    { icac: true, fabricId: 0xfab000000001n },
    clock,
  );
  const issued = await fabric.issueNoc(csr(), 0x42n);
  assert.ok(issued.icac !== null);
  assert.ok(bytesEqual(issued.icac, fabric.icac!.raw));
  assert.ok(bytesEqual(issued.rcac, fabric.rcac.raw));
  const chain = validateChain({ rcac: issued.rcac, icac: issued.icac, noc: issued.noc, at: NOW });
  assert.equal(chain.nodeId, 0x42n);
  assert.equal(chain.fabricId, 0xfab000000001n);
  assert.equal(chain.icacUnused, false);
  assert.equal(issued.nocNotAfter.getTime(), NOW.getTime() + TEN_YEARS_MS);
});

test("issueNoc without an ICAC: RCAC -> NOC validates and the chain's icac is null", async () => {
  const fabric = await AdminFabric.create(new MemoryStorage(), nodeCrypto, { icac: false, fabricId: 7n }, clock);
  assert.equal(fabric.icac, null);
  assert.equal(fabric.caseFabric.icac, null);
  const issued = await fabric.issueNoc(csr(), 9n);
  assert.equal(issued.icac, null);
  const chain = validateChain({ rcac: issued.rcac, noc: issued.noc, at: NOW });
  assert.equal(chain.nodeId, 9n);
  assert.equal(chain.fabricId, 7n);
  validateChain({ rcac: fabric.caseFabric.rcac, noc: fabric.caseFabric.noc, at: NOW });
});

test("issueNoc uses the CSR's key, and refuses a CSR whose self-signature fails without consuming a serial", async () => {
  const fabric = await AdminFabric.create(new MemoryStorage(), nodeCrypto, { icac: true }, clock);
  const key = nodeCrypto.generateKeyPair();
  const good = buildCsr(nodeCrypto, key);
  const issued = await fabric.issueNoc(good, 5n);
  assert.ok(bytesEqual(decodeMatterCert(issued.noc).publicKey, key.publicKey.raw));
  const before = fabric.nextSerial;
  const forged = good.slice();
  forged[forged.length - 1]! ^= 0x01;
  await assert.rejects(fabric.issueNoc(forged, 6n), (e) => e instanceof ValidationError || e instanceof MalformedError);
  assert.equal(fabric.nextSerial, before);
});

test("issueNoc refuses the administrator's own node id and non-operational node ids", async () => {
  const fabric = await AdminFabric.create(new MemoryStorage(), nodeCrypto, { icac: true }, clock);
  await assert.rejects(fabric.issueNoc(csr(), DEFAULT_ADMIN_NODE_ID), RangeError);
  await assert.rejects(fabric.issueNoc(csr(), 0n), RangeError);
  await assert.rejects(fabric.issueNoc(csr(), 0xffff_fffd_0001_0001n), RangeError);
});

test("load returns the same fabric: ids, RCAC, ICAC, IPK, CASE identity; the next serial is never reused", async () => {
  const storage = new MemoryStorage();
  const a = await AdminFabric.create(
    storage,
    nodeCrypto,
    { icac: true, fabricId: 0xabcdn, vendorId: 0xfff2, label: "lab" },
    clock,
  );
  const serialsA = [serialOf((await a.issueNoc(csr(), 1n)).noc), serialOf((await a.issueNoc(csr(), 2n)).noc)];
  const b = await AdminFabric.load(storage, nodeCrypto, clock);
  assert.ok(b !== undefined);
  assert.equal(b.fabricId, 0xabcdn);
  assert.equal(b.vendorId, 0xfff2);
  assert.equal(b.label, "lab");
  assert.equal(b.adminNodeId, a.adminNodeId);
  assert.ok(bytesEqual(b.rcac.raw, a.rcac.raw));
  assert.ok(bytesEqual(b.icac!.raw, a.icac!.raw));
  assert.ok(bytesEqual(b.ipkEpochKey, a.ipkEpochKey));
  assert.equal(b.compressedFabricId, a.compressedFabricId);
  assert.ok(bytesEqual(b.caseFabric.noc, a.caseFabric.noc));
  assert.ok(bytesEqual(b.caseFabric.ipk, a.caseFabric.ipk));
  assert.ok(bytesEqual(b.caseFabric.operationalKey.toScalar(), a.caseFabric.operationalKey.toScalar()));
  assert.equal(b.nextSerial, a.nextSerial);
  const serialB = serialOf((await b.issueNoc(csr(), 3n)).noc);
  const all = [serialOf(a.rcac.raw), serialOf(a.icac!.raw), serialOf(a.caseFabric.noc), ...serialsA, serialB];
  assert.equal(new Set(all).size, all.length, `serials ${all.join(",")}`);
  assert.ok(serialB > serialsA[1]!);
});

test("load of empty storage is undefined", async () => {
  assert.equal(await AdminFabric.load(new MemoryStorage(), nodeCrypto), undefined);
  assert.equal(await AdminFabric.exists(new MemoryStorage()), false);
});

/** nodeCrypto whose signatures are logged into `events`. */
function loggingCrypto(events: string[]): Crypto {
  const c = nodeCrypto;
  return {
    randomBytes: (n) => c.randomBytes(n),
    generateKeyPair: () => c.generateKeyPair(),
    sha256: (d) => c.sha256(d),
    hmacSha256: (k, d) => c.hmacSha256(k, d),
    hkdfSha256: (ikm, salt, info, n) => c.hkdfSha256(ikm, salt, info, n),
    pbkdf2Sha256: (p, salt, i, n) => c.pbkdf2Sha256(p, salt, i, n),
    aesCcmEncrypt: (k, n, p, a, t) => c.aesCcmEncrypt(k, n, p, a, t),
    aesCcmDecrypt: (k, n, ct, a, t) => c.aesCcmDecrypt(k, n, ct, a, t),
    ecdsaSign(key, data) {
      events.push("sign");
      return c.ecdsaSign(key, data);
    },
    ecdsaVerify: (k, d, sig) => c.ecdsaVerify(k, d, sig),
    ecdsaSignDer: (k, d) => c.ecdsaSignDer(k, d),
    ecdsaVerifyDer: (k, d, sig) => c.ecdsaVerifyDer(k, d, sig),
    ecdh: (k, p) => c.ecdh(k, p),
  };
}

/** A MemoryStorage that logs writes of the serial counter into `events` and can be made to fail them. */
class SerialLoggingStorage extends MemoryStorage {
  readonly events: string[];
  failSerialWrites = false;
  constructor(events: string[]) {
    super();
    this.events = events;
  }
  override async set(key: string, value: StorageValue): Promise<void> {
    if (key === ADMIN_NEXT_SERIAL_KEY) {
      if (this.failSerialWrites) throw new Error("disk full (test)");
      this.events.push(`serial ${String(value)}`);
    }
    return super.set(key, value);
  }
}

test("the next serial is stored before the NOC is signed, and a failed store signs nothing", async () => {
  const events: string[] = [];
  const storage = new SerialLoggingStorage(events);
  const fabric = await AdminFabric.create(storage, loggingCrypto(events), { icac: true }, clock);
  events.length = 0;
  const issued = await fabric.issueNoc(csr(), 10n);
  const serial = serialOf(issued.noc);
  assert.deepEqual(events, [`serial ${serial + 1n}`, "sign"]);
  assert.equal(await storage.get(ADMIN_NEXT_SERIAL_KEY), (serial + 1n).toString());

  events.length = 0;
  storage.failSerialWrites = true;
  await assert.rejects(fabric.issueNoc(csr(), 11n), /disk full/);
  assert.deepEqual(events, [], "no signature when the serial could not be stored");
});

test("concurrent issuances get distinct serials and the stored counter is above all of them", async () => {
  const storage = new MemoryStorage();
  const fabric = await AdminFabric.create(storage, nodeCrypto, { icac: true }, clock);
  const chains = await Promise.all([1n, 2n, 3n, 4n].map((id) => fabric.issueNoc(csr(), id)));
  const serials = chains.map((c) => serialOf(c.noc));
  assert.equal(new Set(serials).size, 4);
  const stored = BigInt((await storage.get(ADMIN_NEXT_SERIAL_KEY)) as string);
  assert.ok(serials.every((s) => s < stored));
});

test("newIcac on a fabric without ICAC creates one; later NOCs and the admin's own NOC chain through it, also after load", async () => {
  const storage = new MemoryStorage();
  const fabric = await AdminFabric.create(storage, nodeCrypto, { icac: false }, clock);
  const before = await fabric.issueNoc(csr(), 1n);
  await fabric.newIcac();
  assert.ok(fabric.icac !== null);
  const after = await fabric.issueNoc(csr(), 2n);
  assert.ok(after.icac !== null && bytesEqual(after.icac, fabric.icac.raw));
  assert.equal(validateChain({ rcac: after.rcac, icac: after.icac, noc: after.noc }).icacUnused, false);
  const cf = fabric.caseFabric;
  assert.ok(cf.icac !== null);
  assert.equal(validateChain({ rcac: cf.rcac, icac: cf.icac, noc: cf.noc }).nodeId, fabric.adminNodeId);
  // The NOC issued before still validates against the root.
  validateChain({ rcac: before.rcac, noc: before.noc });
  const loaded = await AdminFabric.load(storage, nodeCrypto, clock);
  assert.ok(bytesEqual(loaded!.icac!.raw, fabric.icac.raw));
  assert.ok(bytesEqual(loaded!.caseFabric.noc, cf.noc));
});

test("newIcac replaces the ICAC with a new key and serial; chains issued under the old one still validate", async () => {
  const fabric = await AdminFabric.create(new MemoryStorage(), nodeCrypto, { icac: true }, clock);
  const old = fabric.icac!;
  const issuedOld = await fabric.issueNoc(csr(), 1n);
  await fabric.newIcac();
  const fresh = fabric.icac!;
  assert.ok(!bytesEqual(fresh.publicKey, old.publicKey));
  assert.ok(bytesToBigint(fresh.serialNumber) > bytesToBigint(old.serialNumber));
  const issuedNew = await fabric.issueNoc(csr(), 2n);
  assert.ok(bytesEqual(issuedNew.icac!, fresh.raw));
  validateChain({ rcac: issuedOld.rcac, icac: issuedOld.icac!, noc: issuedOld.noc });
  validateChain({ rcac: issuedNew.rcac, icac: issuedNew.icac!, noc: issuedNew.noc });
  // A NOC from the new ICAC does not verify under the old one.
  assert.throws(() => validateChain({ rcac: issuedNew.rcac, icac: old.raw, noc: issuedNew.noc }), ValidationError);
});

test("bad options are RangeError/TypeError and store nothing", async () => {
  const cases: [object, typeof RangeError | typeof TypeError][] = [
    [{ fabricId: 0n }, RangeError],
    [{ fabricId: -1n }, RangeError],
    [{ fabricId: 1n << 64n }, RangeError],
    [{ fabricId: 5 }, TypeError],
    [{ vendorId: 0 }, RangeError],
    [{ vendorId: 0x10000 }, RangeError],
    [{ vendorId: 0xfff5 }, RangeError],
    [{ vendorId: 1.5 }, RangeError],
    [{ label: "é".repeat(17) }, RangeError],
    [{ label: "a\ud800" }, RangeError],
    [{ label: 3 }, TypeError],
    [{ icac: "yes" }, TypeError],
  ];
  for (const [options, type] of cases) {
    const storage = new MemoryStorage();
    await assert.rejects(
      AdminFabric.create(storage, nodeCrypto, options as never, clock),
      type,
      JSON.stringify(options, (_k, v) => (typeof v === "bigint" ? `${v}n` : v)),
    );
    assert.equal(storage.size, 0);
  }
  // The limits themselves are accepted.
  const edge = await AdminFabric.create(new MemoryStorage(), nodeCrypto, {
    fabricId: 0xffff_ffff_ffff_ffffn,
    vendorId: 0xfff4,
    label: "é".repeat(16),
  });
  assert.equal(edge.fabricId, 0xffff_ffff_ffff_ffffn);
  assert.equal(edge.label, "é".repeat(16));
});

/** Rewrites the stored fabric record with `edit`. */
async function editFabric(storage: MemoryStorage, edit: (r: Record<string, JsonValue>) => void): Promise<void> {
  const record = { ...((await storage.get(ADMIN_FABRIC_KEY)) as Record<string, JsonValue>) };
  edit(record);
  await storage.set(ADMIN_FABRIC_KEY, record);
}

test("a damaged fabric record or serial counter is MalformedError naming its key", async () => {
  const damages: [string, (s: MemoryStorage) => Promise<void>][] = [
    [ADMIN_FABRIC_KEY, (s) => s.set(ADMIN_FABRIC_KEY, "garbage")],
    [ADMIN_FABRIC_KEY, (s) => editFabric(s, (r) => delete r.label)],
    [ADMIN_FABRIC_KEY, (s) => editFabric(s, (r) => (r.extra = 1))],
    [ADMIN_FABRIC_KEY, (s) => editFabric(s, (r) => (r.fabricId = "0000000000000000"))],
    [ADMIN_FABRIC_KEY, (s) => editFabric(s, (r) => (r.rcac = "00"))],
    [ADMIN_FABRIC_KEY, (s) => editFabric(s, (r) => (r.ipkEpochKey = "0011"))],
    // Another fabric id than the NOCs carry.
    [ADMIN_FABRIC_KEY, (s) => editFabric(s, (r) => (r.fabricId = "0000000000000099"))],
    // A root key that does not match the RCAC.
    [
      ADMIN_FABRIC_KEY,
      (s) => editFabric(s, (r) => (r.rootKey = Buffer.from(nodeCrypto.generateKeyPair().toScalar()).toString("hex"))),
    ],
    [ADMIN_FABRIC_KEY, (s) => editFabric(s, (r) => (r.icacKey = null))],
    [ADMIN_NEXT_SERIAL_KEY, (s) => s.delete(ADMIN_NEXT_SERIAL_KEY)],
    [ADMIN_NEXT_SERIAL_KEY, (s) => s.set(ADMIN_NEXT_SERIAL_KEY, "2")],
    [ADMIN_NEXT_SERIAL_KEY, (s) => s.set(ADMIN_NEXT_SERIAL_KEY, 9)],
  ];
  for (const [key, damage] of damages) {
    const storage = new MemoryStorage();
    await AdminFabric.create(storage, nodeCrypto, { icac: true, fabricId: 0x55n }, clock);
    await damage(storage);
    await assert.rejects(AdminFabric.load(storage, nodeCrypto, clock), (e) => {
      assert.ok(e instanceof MalformedError, String(e));
      assert.equal(e.code, "admin.fabric-record");
      assert.equal(e.path, key, e.message);
      return true;
    });
  }
});

test("create never overwrites a stored fabric", async () => {
  const storage = new MemoryStorage();
  const first = await AdminFabric.create(storage, nodeCrypto, { icac: true }, clock);
  await assert.rejects(AdminFabric.create(storage, nodeCrypto, { icac: true }, clock), TypeError);
  const loaded = await AdminFabric.load(storage, nodeCrypto, clock);
  assert.ok(bytesEqual(loaded!.rcac.raw, first.rcac.raw));
});
