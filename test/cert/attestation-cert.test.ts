// Attestation certificates: generation under the Development PAA, format rules and chain rules by rule id.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fromBase64, fromHex, toHex } from "../../src/bytes/bytes.ts";
import { ValidationError } from "../../src/bytes/errors.ts";
import {
  attestationKeyId,
  checkAttestationCertFormat,
  generateDac,
  generatePaa,
  generatePai,
  validateAttestationChain,
} from "../../src/cert/attestation-cert.ts";
import { buildX509, parseX509, type Rdn } from "../../src/cert/x509.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { P256PrivateKey } from "../../src/crypto/p256.ts";
import { DerTag } from "../../src/der/der-reader.ts";
import {
  derBitString,
  derBoolean,
  derContext,
  derInteger,
  derOctetString,
  derSequence,
} from "../../src/der/der-writer.ts";
import { OID } from "../../src/der/oids.ts";

const VECTORS = join(import.meta.dirname, "..", "vectors", "attestation");
const pemDer = (name: string) => fromBase64(readFileSync(join(VECTORS, name), "utf8").replace(/-----[^-]+-----/g, ""));
const paaCert = pemDer("Chip-Development-PAA-Cert.pem");
const paaKey = P256PrivateKey.fromPem(readFileSync(join(VECTORS, "Chip-Development-PAA-Key.pem"), "utf8"));
const testPaaFff1 = pemDer("Chip-Test-PAA-FFF1-Cert.pem");

const paiKey = P256PrivateKey.fromScalar(fromHex("61".repeat(32)));
const dacKey = P256PrivateKey.fromScalar(fromHex("71".repeat(32)));
const notBefore = new Date("2024-01-01T00:00:00Z");
const notAfter = new Date("2099-12-31T23:59:59Z");

const pai = generatePai(
  nodeCrypto,
  paiKey.publicKey,
  { cert: paaCert, key: paaKey },
  {
    commonName: "Matter Test PAI",
    vendorId: 0xfff1,
    notBefore,
    notAfter,
  },
);
const dac = generateDac(
  nodeCrypto,
  dacKey.publicKey,
  { cert: pai, key: paiKey },
  {
    commonName: "Matter Test DAC",
    vendorId: 0xfff1,
    productId: 0x8000,
    notBefore,
    notAfter,
  },
);

const rule = (id: string) => (e: unknown) => e instanceof ValidationError && e.rule === id;

test("the published PAAs pass the PAA format rules", () => {
  const dev = checkAttestationCertFormat(paaCert, "paa");
  assert.equal(dev.vendorId, undefined);
  assert.equal(dev.pathLen, 1);
  assert.equal(toHex(dev.subjectKeyId), "fa92cf095efa42e11430651632fefe1b2c77a7c8");
  const fff1 = checkAttestationCertFormat(testPaaFff1, "paa");
  assert.equal(fff1.vendorId, 0xfff1);
});

test("a generated PAI and DAC under the Development PAA validate at the DAC's notBefore", () => {
  assert.ok(pai.length <= 600 && dac.length <= 600);
  const chain = validateAttestationChain(nodeCrypto, { dac, pai, paa: paaCert });
  assert.equal(chain.vendorId, 0xfff1);
  assert.equal(chain.productId, 0x8000);
  assert.equal(chain.pai.pathLen, 0);
  assert.deepEqual(chain.dac.subjectKeyId, attestationKeyId(dacKey.publicKey.raw));
  assert.deepEqual(chain.dac.authorityKeyId, chain.pai.subjectKeyId);
  const x = parseX509(dac);
  assert.deepEqual(
    x.subject.map((r) => [r.oid, r.value]),
    [
      [OID.commonName, "Matter Test DAC"],
      [OID.matterVendorId, "FFF1"],
      [OID.matterProductId, "8000"],
    ],
  );
  // DAC extensions are exactly BC (critical, cA FALSE), KU (critical, digitalSignature), SKID, AKID.
  assert.deepEqual(
    x.extensions.map((e) => [e.oid, e.critical, toHex(e.value).slice(0, 8)]),
    [
      [OID.basicConstraints, true, "3000"],
      [OID.keyUsage, true, "03020780"],
      [OID.subjectKeyIdentifier, false, `0414${toHex(attestationKeyId(dacKey.publicKey.raw)).slice(0, 4)}`],
      [OID.authorityKeyIdentifier, false, "30168014"],
    ],
  );
});

test("the CN fallback Mvid:/Mpid: is generated and understood", () => {
  const d = generateDac(
    nodeCrypto,
    dacKey.publicKey,
    { cert: pai, key: paiKey },
    {
      commonName: "Dev DAC",
      vendorId: 0xfff1,
      productId: 0x00b1,
      vidPidEncoding: "common-name",
      notBefore,
      notAfter,
    },
  );
  assert.equal(parseX509(d).subject[0]!.value, "Dev DAC Mvid:FFF1 Mpid:00B1");
  const c = checkAttestationCertFormat(d, "dac");
  assert.equal(c.vendorId, 0xfff1);
  assert.equal(c.productId, 0x00b1);
});

test("a generated PAA with a VID anchors a chain; a VID mismatch with the PAA is reported", () => {
  const rootKey = P256PrivateKey.fromScalar(fromHex("81".repeat(32)));
  const paa = generatePaa(nodeCrypto, rootKey, { commonName: "PAA FFF2", vendorId: 0xfff2, notBefore, notAfter });
  assert.equal(checkAttestationCertFormat(paa, "paa").vendorId, 0xfff2);
  const p = generatePai(
    nodeCrypto,
    paiKey.publicKey,
    { cert: paa, key: rootKey },
    {
      commonName: "PAI",
      vendorId: 0xfff1,
      notBefore,
      notAfter,
    },
  );
  const d = generateDac(
    nodeCrypto,
    dacKey.publicKey,
    { cert: p, key: paiKey },
    {
      commonName: "DAC",
      vendorId: 0xfff1,
      productId: 0x8000,
      notBefore,
      notAfter,
    },
  );
  assert.throws(() => validateAttestationChain(nodeCrypto, { dac: d, pai: p, paa }), rule("chain.paa-vid-mismatch"));
});

type Ext = { oid: string; critical: boolean; value: Uint8Array };
const utf8 = DerTag.utf8String;
const bcCa = (pathLen?: number) =>
  derSequence(derBoolean(true), ...(pathLen === undefined ? [] : [derInteger(BigInt(pathLen))]));
const ku = (byte: number, unused: number) => derBitString(Uint8Array.of(byte), unused);
const skidOf = (k: P256PrivateKey) => derOctetString(attestationKeyId(k.publicKey.raw));
const akidOf = (k: P256PrivateKey) => derSequence(derContext(0, attestationKeyId(k.publicKey.raw), false));

function dacExts(over: Partial<Record<"bc" | "ku" | "skid" | "akid", Ext | null>> = {}): Ext[] {
  const base: Record<string, Ext> = {
    bc: { oid: OID.basicConstraints, critical: true, value: derSequence() },
    ku: { oid: OID.keyUsage, critical: true, value: ku(0x80, 7) },
    skid: { oid: OID.subjectKeyIdentifier, critical: false, value: skidOf(dacKey) },
    akid: { oid: OID.authorityKeyIdentifier, critical: false, value: akidOf(paiKey) },
  };
  return (["bc", "ku", "skid", "akid"] as const).flatMap((k) => {
    const v = k in over ? over[k] : base[k];
    return v ? [v] : [];
  });
}

function customDac(
  exts: Ext[],
  subject: Rdn[] = [
    { oid: OID.commonName, tag: utf8, value: "DAC" },
    { oid: OID.matterVendorId, tag: utf8, value: "FFF1" },
    { oid: OID.matterProductId, tag: utf8, value: "8000" },
  ],
  times: { notBefore: Date; notAfter: Date } = { notBefore, notAfter },
  issuerCert: Uint8Array = pai,
): Uint8Array {
  return buildX509(
    {
      serial: 7n,
      issuer: parseX509(issuerCert).subjectRaw,
      ...times,
      subject,
      publicKey: dacKey.publicKey.raw,
      extensions: exts,
    },
    (tbs) => nodeCrypto.ecdsaSignDer(paiKey, tbs),
  );
}

test("DAC format rules are each reported by their rule id", () => {
  validateAttestationChain(nodeCrypto, { dac: customDac(dacExts()), pai, paa: paaCert });
  const cases: [string, Uint8Array][] = [
    ["dac.basic-constraints", customDac(dacExts({ bc: null }))],
    [
      "dac.basic-constraints",
      customDac(dacExts({ bc: { oid: OID.basicConstraints, critical: false, value: derSequence() } })),
    ],
    ["dac.ca", customDac(dacExts({ bc: { oid: OID.basicConstraints, critical: true, value: bcCa() } }))],
    [
      "dac.path-len",
      customDac(dacExts({ bc: { oid: OID.basicConstraints, critical: true, value: derSequence(derInteger(0n)) } })),
    ],
    ["dac.key-usage", customDac(dacExts({ ku: null }))],
    ["dac.key-usage", customDac(dacExts({ ku: { oid: OID.keyUsage, critical: false, value: ku(0x80, 7) } }))],
    ["dac.key-usage", customDac(dacExts({ ku: { oid: OID.keyUsage, critical: true, value: ku(0xa0, 5) } }))],
    ["dac.subject-key-id", customDac(dacExts({ skid: null }))],
    [
      "dac.subject-key-id",
      customDac(
        dacExts({ skid: { oid: OID.subjectKeyIdentifier, critical: false, value: derOctetString(new Uint8Array(8)) } }),
      ),
    ],
    ["dac.authority-key-id", customDac(dacExts({ akid: null }))],
    [
      "dac.authority-key-id",
      customDac(dacExts({ akid: { oid: OID.authorityKeyIdentifier, critical: true, value: akidOf(paiKey) } })),
    ],
    [
      "dac.pid",
      customDac(dacExts(), [
        { oid: OID.commonName, tag: utf8, value: "DAC" },
        { oid: OID.matterVendorId, tag: utf8, value: "FFF1" },
      ]),
    ],
    [
      "dac.vid",
      customDac(dacExts(), [
        { oid: OID.commonName, tag: utf8, value: "DAC" },
        { oid: OID.matterProductId, tag: utf8, value: "8000" },
      ]),
    ],
    [
      "dac.vid-format",
      customDac(dacExts(), [
        { oid: OID.matterVendorId, tag: utf8, value: "fff1" },
        { oid: OID.matterProductId, tag: utf8, value: "8000" },
      ]),
    ],
    [
      "dac.pid-format",
      customDac(dacExts(), [
        { oid: OID.matterVendorId, tag: utf8, value: "FFF1" },
        { oid: OID.matterProductId, tag: utf8, value: "800" },
      ]),
    ],
  ];
  for (const [id, der] of cases) assert.throws(() => checkAttestationCertFormat(der, "dac"), rule(id), id);
  assert.throws(() => checkAttestationCertFormat(new Uint8Array(601), "dac"), rule("dac.size"));
});

function customPai(bc: Uint8Array, kuByte = 0x06, kuUnused = 1, subjectVid = "FFF1", pid?: string): Uint8Array {
  const subject: Rdn[] = [
    { oid: OID.commonName, tag: utf8, value: "PAI" },
    { oid: OID.matterVendorId, tag: utf8, value: subjectVid },
    ...(pid ? [{ oid: OID.matterProductId, tag: utf8, value: pid }] : []),
  ];
  return buildX509(
    {
      serial: 9n,
      issuer: parseX509(paaCert).subjectRaw,
      notBefore,
      notAfter,
      subject,
      publicKey: paiKey.publicKey.raw,
      extensions: [
        { oid: OID.basicConstraints, critical: true, value: bc },
        { oid: OID.keyUsage, critical: true, value: ku(kuByte, kuUnused) },
        { oid: OID.subjectKeyIdentifier, critical: false, value: skidOf(paiKey) },
        {
          oid: OID.authorityKeyIdentifier,
          critical: false,
          value: derSequence(derContext(0, fromHex("fa92cf095efa42e11430651632fefe1b2c77a7c8"), false)),
        },
      ],
    },
    (tbs) => nodeCrypto.ecdsaSignDer(paaKey, tbs),
  );
}

test("PAI format rules: CA with pathLen 0, keyCertSign+cRLSign (+digitalSignature) only", () => {
  checkAttestationCertFormat(customPai(bcCa(0)), "pai");
  checkAttestationCertFormat(customPai(bcCa(0), 0x86, 1), "pai");
  assert.throws(() => checkAttestationCertFormat(customPai(bcCa(1)), "pai"), rule("pai.path-len"));
  assert.throws(() => checkAttestationCertFormat(customPai(bcCa()), "pai"), rule("pai.path-len"));
  assert.throws(() => checkAttestationCertFormat(customPai(derSequence()), "pai"), rule("pai.ca"));
  assert.throws(() => checkAttestationCertFormat(customPai(bcCa(0), 0x04, 2), "pai"), rule("pai.key-usage"));
  assert.throws(() => checkAttestationCertFormat(customPai(bcCa(0), 0x0e, 1), "pai"), rule("pai.key-usage"));
  assert.throws(() => checkAttestationCertFormat(customPai(bcCa(0), 0x06, 1, "FFF1").subarray(0, 10), "pai"));
  assert.throws(() => checkAttestationCertFormat(paaCert, "pai"), rule("pai.path-len"));
});

test("chain rules: VID/PID mismatches, wrong issuer, bad signatures, validity at issuance", () => {
  const paiFff2 = customPai(bcCa(0), 0x06, 1, "FFF2");
  const dacUnderFff2 = customDac(dacExts(), undefined, undefined, paiFff2);
  assert.throws(
    () => validateAttestationChain(nodeCrypto, { dac: dacUnderFff2, pai: paiFff2, paa: paaCert }),
    rule("chain.vid-mismatch"),
  );
  const paiPid = customPai(bcCa(0), 0x06, 1, "FFF1", "8001");
  const dacUnderPid = customDac(dacExts(), undefined, undefined, paiPid);
  assert.throws(
    () => validateAttestationChain(nodeCrypto, { dac: dacUnderPid, pai: paiPid, paa: paaCert }),
    rule("chain.pid-mismatch"),
  );
  // A chain anchored at the wrong PAA.
  assert.throws(() => validateAttestationChain(nodeCrypto, { dac, pai, paa: testPaaFff1 }), rule("chain.pai-issuer"));
  // The DAC signed by a key that is not the PAI's.
  const forged = buildX509({ ...fieldsOf(dac), serial: 5n }, (tbs) => nodeCrypto.ecdsaSignDer(dacKey, tbs));
  assert.throws(() => validateAttestationChain(nodeCrypto, { dac: forged, pai, paa: paaCert }), rule("dac.signature"));
  // A DAC whose notBefore precedes the PAI's: issued outside the PAI validity.
  const early = customDac(dacExts(), undefined, { notBefore: new Date("2023-01-01T00:00:00Z"), notAfter });
  assert.throws(() => validateAttestationChain(nodeCrypto, { dac: early, pai, paa: paaCert }), rule("pai.validity"));
  // Explicit validation time after the DAC expired.
  const shortDac = customDac(dacExts(), undefined, { notBefore, notAfter: new Date("2025-01-01T00:00:00Z") });
  assert.throws(
    () =>
      validateAttestationChain(nodeCrypto, { dac: shortDac, pai, paa: paaCert, at: new Date("2026-01-01T00:00:00Z") }),
    rule("dac.validity"),
  );
});

function fieldsOf(der: Uint8Array) {
  const x = parseX509(der);
  return {
    serial: x.serial,
    issuer: x.issuerRaw,
    notBefore: x.notBefore,
    notAfter: x.notAfter,
    subject: x.subjectRaw,
    publicKey: x.publicKey,
    extensions: x.extensions.map((e) => e.raw),
  };
}
