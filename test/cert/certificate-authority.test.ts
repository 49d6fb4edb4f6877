import assert from "node:assert/strict";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { bytesEqual } from "../../src/bytes/bytes.ts";
import {
  CertificateAuthority,
  FileCertificateAuthority,
  serialNumberBytes,
} from "../../src/cert/certificate-authority.ts";
import { buildCsr } from "../../src/cert/csr.ts";
import { derToMatterCert } from "../../src/cert/matter-cert-from-x509.ts";
import { matterCertToDer } from "../../src/cert/matter-cert-to-x509.ts";
import { validateChain, validateRcac } from "../../src/cert/validate.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";

const NOW = new Date("2024-06-01T12:00:00Z");
const clock = () => NOW;

test("issued RCAC, ICAC and NOC validate and round-trip TLV <-> DER", async () => {
  const ca = CertificateAuthority.create(nodeCrypto, { rcacId: 0xcacacaca00000099n, fabricId: 0x1234n, clock });
  validateRcac(ca.rcac);
  const icacKey = nodeCrypto.generateKeyPair();
  const icac = await ca.issueIcac({ subjectKey: icacKey.publicKey, icacId: 0xcacacaca000000aan, fabricId: 0x1234n });
  const nodeKey = nodeCrypto.generateKeyPair();
  const noc = await ca.issueNoc(
    { subjectKey: nodeKey.publicKey, nodeId: 0x1122334455667788n, fabricId: 0x1234n, cats: [0xabcd0001, 0x12340002] },
    { cert: icac, key: icacKey },
  );
  const chain = validateChain({ noc: noc.raw, icac: icac.raw, rcac: ca.rcac.raw, at: NOW });
  assert.equal(chain.nodeId, 0x1122334455667788n);
  assert.deepEqual(chain.cats, [0xabcd0001, 0x12340002]);
  for (const c of [ca.rcac, icac, noc]) assert.ok(bytesEqual(derToMatterCert(matterCertToDer(c)), c.raw));
  assert.equal(noc.notAfter - noc.notBefore, 10 * 365 * 24 * 3600);
});

test("a NOC issued from a CSR carries the CSR's key and is signed by the root", async () => {
  const ca = CertificateAuthority.create(nodeCrypto, { clock });
  const key = nodeCrypto.generateKeyPair();
  const noc = await ca.issueNoc({ subjectKey: buildCsr(nodeCrypto, key), nodeId: 5n, fabricId: 7n });
  assert.ok(bytesEqual(noc.publicKey, key.publicKey.raw));
  validateChain({ noc, rcac: ca.rcac, at: NOW });
  assert.ok(bytesEqual(noc.serialNumber, serialNumberBytes(2n)));
});

test("NOC requests that break the subject rules are refused", async () => {
  const ca = CertificateAuthority.create(nodeCrypto, { clock });
  const k = nodeCrypto.generateKeyPair().publicKey;
  await assert.rejects(ca.issueNoc({ subjectKey: k, nodeId: 0n, fabricId: 1n }), RangeError);
  await assert.rejects(ca.issueNoc({ subjectKey: k, nodeId: 1n, fabricId: 1n, cats: [0x00010000] }), RangeError);
  await assert.rejects(ca.issueNoc({ subjectKey: k, nodeId: 1n, fabricId: 1n, cats: [0x10001, 0x10002] }), RangeError);
  await assert.rejects(
    ca.issueNoc({ subjectKey: k, nodeId: 1n, fabricId: 1n, cats: [0x10001, 0x20001, 0x30001, 0x40001] }),
    RangeError,
  );
});

test("serial numbers are minimal positive INTEGER contents", () => {
  assert.deepEqual([...serialNumberBytes(0n)], [0]);
  assert.deepEqual([...serialNumberBytes(0x7fn)], [0x7f]);
  assert.deepEqual([...serialNumberBytes(0x80n)], [0, 0x80]);
  assert.deepEqual([...serialNumberBytes(0x1234n)], [0x12, 0x34]);
});

test("FileCertificateAuthority persists its key (0600), RCAC and serial counter", async () => {
  const dir = await mkdtemp(join(tmpdir(), "opcreds-ca-"));
  try {
    const ca = await FileCertificateAuthority.open(join(dir, "ca"), nodeCrypto, { clock });
    const k = nodeCrypto.generateKeyPair().publicKey;
    const first = await ca.issueNoc({ subjectKey: k, nodeId: 1n, fabricId: 1n });
    assert.equal(((await stat(join(dir, "ca", "root-key.pem"))).mode & 0o777).toString(8), "600");
    assert.equal(((await stat(join(dir, "ca", "ca.json"))).mode & 0o777).toString(8), "600");
    const again = await FileCertificateAuthority.open(join(dir, "ca"), nodeCrypto, { clock });
    assert.ok(bytesEqual(again.rcac.raw, ca.rcac.raw));
    assert.equal(again.nextSerial, 3n);
    const second = await again.issueNoc({ subjectKey: k, nodeId: 2n, fabricId: 1n });
    assert.ok(!bytesEqual(first.serialNumber, second.serialNumber));
    validateChain({ noc: second, rcac: ca.rcac, at: NOW });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
