// DAC revocation set: the connectedhomeip test sets and devices (test/vectors/revocation), matching by issuer name,
// AKID and serial value, and strict parsing (every malformed field is a MalformedError naming it).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fromHex, toBase64 } from "../../src/bytes/bytes.ts";
import { MalformedError } from "../../src/bytes/errors.ts";
import { loadRevocationSet, parseRevocationSet } from "../../src/cert/revocation-set.ts";
import { parseX509 } from "../../src/cert/x509.ts";

const DIR = join(import.meta.dirname, "..", "vectors", "revocation");
const text = (name: string) => readFileSync(join(DIR, name), "utf8");
const device = (name: string) => {
  const j = JSON.parse(text(`${name}.json`)) as { dac_cert: string; pai_cert: string };
  return { dac: fromHex(j.dac_cert), pai: fromHex(j.pai_cert) };
};
const set = (name: string) => parseRevocationSet(text(`${name}.json`), name);

test("connectedhomeip vectors: revoked-dac-01 is revoked by revocation-set and revocation-set-for-pai, not by -for-paa", () => {
  const d = device("revoked-dac-01");
  for (const s of ["revocation-set", "revocation-set-for-pai"]) {
    assert.equal(set(s).isRevoked(d.dac), true, s);
    assert.equal(set(s).isRevoked(d.pai), false, s);
  }
  assert.equal(set("revocation-set-for-paa").isRevoked(d.dac), false);
  assert.equal(set("revocation-set-for-paa").isRevoked(d.pai), false);
});

test("connectedhomeip vectors: revoked-pai's PAI is revoked by its PAA's set; revoked-dac-and-pai has both revoked", () => {
  const p = device("revoked-pai");
  assert.equal(set("revocation-set-for-paa").isRevoked(p.pai), true);
  assert.equal(set("revocation-set-for-paa").isRevoked(p.dac), false);
  const both = device("revoked-dac-and-pai");
  assert.equal(set("revocation-set").isRevoked(both.pai), true);
  assert.equal(set("revocation-set").isRevoked(both.dac), true);
});

test("entries decode: key id, issuer Name bytes, serials as values, the CRL signer certificate", () => {
  const s = set("revocation-set-for-pai");
  assert.equal(s.entries.length, 1);
  const e = s.entries[0]!;
  assert.deepEqual(e.issuerSubjectKeyId, fromHex("63540E47F64B1C38D13884A462D16C195D8FFB3C"));
  assert.deepEqual(e.revokedSerialNumbers, [0x0ab042494323fe54n, 0x19367d978eac533an, 0x2569383d24bb36ean]);
  assert.deepEqual(e.issuerName, e.crlSignerCert.subjectRaw);
  assert.equal(e.crlSignerDelegator, undefined);
});

type Entry = Record<string, unknown>;
const base = (): Entry => (JSON.parse(text("revocation-set-for-pai.json")) as Entry[])[0]!;
const parseOne = (e: unknown) => parseRevocationSet(JSON.stringify([e]), "t.json");

test("a serial number matches by value: lowercase hex and a leading 00 octet still match, another serial does not", () => {
  const dac = device("revoked-dac-01").dac;
  assert.equal(parseOne({ ...base(), revoked_serial_numbers: ["0019367d978eac533a"] }).isRevoked(dac), true);
  assert.equal(parseOne({ ...base(), revoked_serial_numbers: ["19367D978EAC533B"] }).isRevoked(dac), false);
  assert.equal(parseOne({ ...base(), revoked_serial_numbers: [] }).isRevoked(dac), false);
});

test("the issuer must match by Name and AKID: a certificate of another issuer with the same serial is not revoked", () => {
  // The PAI of revoked-pai has serial 302664392B8A3F2A, listed by the PAA's set; the same serial under the PAI's own
  // issuer name/key id does not revoke it.
  const pai = parseX509(device("revoked-pai").pai);
  const underPai = parseOne({ ...base(), revoked_serial_numbers: ["302664392B8A3F2A"] });
  assert.equal(underPai.isRevoked(pai), false);
  // A PAA has no AKID pointing elsewhere: a self-signed certificate without an issuer entry is never revoked.
  const paa = readFileSync(join(import.meta.dirname, "..", "vectors", "attestation", "Chip-Test-PAA-FFF1-Cert.pem"));
  assert.equal(set("revocation-set").isRevoked(pemToDer(paa.toString("utf8"))), false);
});

function pemToDer(pem: string): Uint8Array {
  return new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64"));
}

test("strict parsing: each malformed field is a MalformedError naming the entry and field", () => {
  const e = base();
  const cases: [unknown, string, RegExp][] = [
    [{ ...e, type: "crl" }, "revocation-set.schema", /\[0\]\/type/],
    [{ ...e, extra: 1 }, "revocation-set.schema", /unknown field "extra"/],
    [{ ...e, issuer_subject_key_id: "63540E47" }, "revocation-set.schema", /issuer_subject_key_id is not 20 bytes/],
    [{ ...e, issuer_subject_key_id: "XY540E47F64B1C38D13884A462D16C195D8FFB3C" }, "revocation-set.schema", /not hex/],
    [{ ...e, issuer_name: "not base64!" }, "revocation-set.schema", /issuer_name: not base64/],
    [{ ...e, issuer_name: toBase64(Uint8Array.of(4, 1, 0)) }, "revocation-set.schema", /not a DER Name/],
    [{ ...e, revoked_serial_numbers: "0AB0" }, "revocation-set.schema", /not an array/],
    [
      { ...e, revoked_serial_numbers: [42] },
      "revocation-set.schema",
      /revoked_serial_numbers\/0: serial number is not a string/,
    ],
    [{ ...e, revoked_serial_numbers: ["0AB"] }, "revocation-set.schema", /not hex/],
    [{ ...e, revoked_serial_numbers: ["00".repeat(22)] }, "revocation-set.schema", /22 bytes/],
    [{ ...e, crl_signer_cert: toBase64(Uint8Array.of(0x30, 0)) }, "revocation-set.schema", /not an X\.509 certificate/],
    [{ ...e, crl_signer_cert: undefined }, "revocation-set.schema", /crl_signer_cert is missing/],
    [
      { ...e, issuer_subject_key_id: "00".repeat(20) },
      "revocation-set.crl-signer",
      /SKID is not issuer_subject_key_id/,
    ],
    ["entry", "revocation-set.schema", /entry is not an object/],
  ];
  for (const [entry, code, message] of cases) {
    assert.throws(
      () => parseOne(entry),
      (err: unknown) => err instanceof MalformedError && err.code === code && message.test(err.message),
      JSON.stringify(entry).slice(0, 80),
    );
  }
  assert.throws(() => parseRevocationSet("{not json", "x.json"), { code: "revocation-set.json" });
  assert.throws(() => parseRevocationSet("{}", "x.json"), /top level is not an array/);
});

test("a CRL signer whose subject is not issuer_name is refused (the SDK would silently not match the entry)", () => {
  const other = (JSON.parse(text("revocation-set-for-paa.json")) as Entry[])[0]!;
  assert.throws(
    () =>
      parseOne({
        ...base(),
        crl_signer_cert: other.crl_signer_cert,
        issuer_subject_key_id: other.issuer_subject_key_id,
      }),
    (err: unknown) =>
      err instanceof MalformedError && err.code === "revocation-set.crl-signer" && /subject/.test(err.message),
  );
});

test("loadRevocationSet reads a file and names a missing one", async () => {
  const s = await loadRevocationSet(join(DIR, "revocation-set.json"));
  assert.equal(s.entries.length, 3);
  await assert.rejects(loadRevocationSet(join(DIR, "missing.json")), { code: "revocation-set.file" });
});
