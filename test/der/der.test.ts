// DER reader/writer: X.690 encodings, strictness regressions, round trips and a robustness property.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { fromBase64, fromHex, toHex } from "../../src/bytes/bytes.ts";
import { MalformedError } from "../../src/bytes/errors.ts";
import { DerReader } from "../../src/der/der-reader.ts";
import {
  derBitString,
  derBoolean,
  derContext,
  derGeneralizedTime,
  derIa5String,
  derInteger,
  derNull,
  derOctetString,
  derOid,
  derPrintableString,
  derSequence,
  derSet,
  derTime,
  derTimeOfSeconds,
  derTlv,
  derUtcTime,
  derUtf8String,
  encodeDer,
} from "../../src/der/der-writer.ts";
import { OID, oidName } from "../../src/der/oids.ts";

const VECTORS = join(import.meta.dirname, "..", "vectors", "attestation");

function malformed(code: string) {
  return (e: unknown) => e instanceof MalformedError && e.code === code;
}

test("integers encode minimally as two's complement (X.690 §8.3)", () => {
  const cases: [bigint, string][] = [
    [0n, "020100"],
    [1n, "020101"],
    [127n, "02017f"],
    [128n, "02020080"],
    [255n, "020200ff"],
    [256n, "02020100"],
    [-1n, "0201ff"],
    [-128n, "020180"],
    [-129n, "0202ff7f"],
    [0xfab000000000001dn, "020900fab000000000001d"],
  ];
  for (const [v, hex] of cases) {
    assert.equal(toHex(derInteger(v)), hex, `encode ${v}`);
    assert.equal(new DerReader(fromHex(hex)).integer("i"), v, `decode ${hex}`);
  }
  assert.equal(toHex(derInteger(fromHex("0000ff"))), "020200ff");
  assert.equal(toHex(derInteger(fromHex("7f"))), "02017f");
  assert.equal(toHex(derInteger(new Uint8Array(0))), "020100");
});

test("non-minimal INTEGERs and empty INTEGERs are rejected", () => {
  for (const hex of ["02020001", "0202ff80", "0200"]) {
    assert.throws(() => new DerReader(fromHex(hex)).integer("i"), malformed("der.integer"), hex);
  }
});

test("lengths: short and long form, minimal only, never indefinite or past the end", () => {
  const long = derOctetString(new Uint8Array(200));
  assert.equal(toHex(long.subarray(0, 3)), "0481c8");
  assert.equal(new DerReader(long).octetString("o").length, 200);
  const big = derOctetString(new Uint8Array(300));
  assert.equal(toHex(big.subarray(0, 4)), "0482012c");
  assert.throws(() => new DerReader(fromHex("3080")).sequence("s"), malformed("der.length"));
  assert.throws(() => new DerReader(fromHex("04810100")).octetString("o"), malformed("der.length"));
  assert.throws(() => new DerReader(fromHex(`0482007f${"00".repeat(0x7f)}`)).octetString("o"), malformed("der.length"));
  assert.throws(() => new DerReader(fromHex("040300")).octetString("o"), malformed("der.length"));
  assert.throws(() => new DerReader(fromHex("0485ffffffffff")).octetString("o"), malformed("der.length"));
});

test("tags: high-tag-number form and wrong constructed bits are rejected; the expected tag is checked", () => {
  assert.throws(() => new DerReader(fromHex("1f0100")).readTlv("x"), malformed("der.tag"));
  assert.throws(() => new DerReader(fromHex("1000")).readTlv("x"), malformed("der.tag"));
  assert.throws(() => new DerReader(fromHex("2400")).readTlv("x"), malformed("der.tag"));
  assert.throws(() => new DerReader(fromHex("0400")).integer("x"), malformed("der.tag"));
  assert.throws(() => new DerReader(new Uint8Array(0)).integer("x"), malformed("der.overrun"));
});

test("readTlv reports tag, content, offset, header length and raw bytes", () => {
  const bytes = derSequence(derInteger(5n), derOctetString(fromHex("aabb")));
  const seq = new DerReader(bytes).sequence("s");
  assert.equal(seq.offset, 2);
  seq.integer("s/i");
  const t = seq.readTlv("s/o");
  assert.equal(t.tag, 0x04);
  assert.equal(t.offset, 5);
  assert.equal(t.headerLength, 2);
  assert.equal(toHex(t.content), "aabb");
  assert.equal(toHex(t.raw), "0402aabb");
  assert.equal(seq.done, true);
  seq.expectEnd("s");
});

test("expectEnd rejects trailing elements; a child reader stops at its parent's content end", () => {
  const bytes = derSequence(derNull(), derNull());
  const seq = new DerReader(bytes).sequence("s");
  seq.null("s/0");
  assert.throws(() => seq.expectEnd("s"), malformed("der.trailing"));
  const outer = new DerReader(Uint8Array.of(...derSequence(derNull()), 0x05, 0x00));
  const inner = outer.sequence("a");
  inner.null("a/0");
  assert.equal(inner.done, true);
  assert.equal(outer.peekTag(), 0x05);
  assert.throws(() => outer.expectEnd("top"), malformed("der.trailing"));
});

test("BOOLEAN is 00 or ff only", () => {
  assert.equal(toHex(derBoolean(true)), "0101ff");
  assert.equal(new DerReader(fromHex("0101ff")).boolean("b"), true);
  assert.equal(new DerReader(fromHex("010100")).boolean("b"), false);
  for (const hex of ["010101", "0100", "01020000"]) {
    assert.throws(() => new DerReader(fromHex(hex)).boolean("b"), malformed("der.boolean"), hex);
  }
});

test("BIT STRING: unused bits <= 7, zero padding, none when empty", () => {
  assert.equal(toHex(derBitString(fromHex("80"), 7)), "03020780");
  assert.deepEqual(new DerReader(fromHex("03020780")).bitString("b"), { unusedBits: 7, bytes: fromHex("80") });
  assert.deepEqual(new DerReader(fromHex("030100")).bitString("b"), { unusedBits: 0, bytes: new Uint8Array(0) });
  for (const hex of ["03020880", "03020781", "030101", "0300"]) {
    assert.throws(() => new DerReader(fromHex(hex)).bitString("b"), malformed("der.bit-string"), hex);
  }
  assert.throws(() => derBitString(fromHex("81"), 7), RangeError);
  assert.throws(() => derBitString(fromHex("80"), 8), RangeError);
});

test("property: DerReader.oid returns the dotted text of any OID, on first read and on (cached) re-reads", () => {
  const oid = fc
    .tuple(
      fc.constantFrom(0, 1, 2),
      fc.integer({ min: 0, max: 39 }),
      fc.array(fc.oneof(fc.integer({ min: 0, max: 300 }), fc.bigInt({ min: 0n, max: 2n ** 70n })), { maxLength: 6 }),
    )
    .map(([a, b, rest]) => [a, b, ...rest].join("."));
  fc.assert(
    fc.property(fc.array(oid, { minLength: 1, maxLength: 4 }), (oids) => {
      for (let pass = 0; pass < 2; pass++) {
        for (const o of oids) assert.equal(new DerReader(derOid(o)).oid("o"), o);
      }
      // A cached OID does not make a damaged copy of it pass: the last arc cut short is still rejected.
      const cut = derOid(oids[0]!);
      cut[cut.length - 1]! |= 0x80;
      assert.throws(() => new DerReader(cut).oid("o"), malformed("der.oid"));
    }),
    { numRuns: 300 },
  );
});

test("OIDs round-trip, including large arcs, and non-minimal arcs are rejected", () => {
  assert.equal(toHex(derOid(OID.ecdsaWithSHA256)), "06082a8648ce3d040302");
  assert.equal(toHex(derOid(OID.matterNodeId)), "060a2b0601040182a27c0101");
  for (const oid of [...Object.values(OID), "2.999.1", "2.25.329800735698586629295641978511506172918"]) {
    assert.equal(new DerReader(derOid(oid)).oid("o"), oid);
  }
  assert.throws(() => new DerReader(fromHex("06022a80")).oid("o"), malformed("der.oid"));
  assert.throws(() => new DerReader(fromHex("06032a8001")).oid("o"), malformed("der.oid"));
  assert.throws(() => new DerReader(fromHex("0600")).oid("o"), malformed("der.oid"));
  assert.throws(() => derOid("1.40"), RangeError);
  assert.throws(() => derOid("3.1"), RangeError);
  assert.equal(oidName("1.3.6.1.4.1.37244.2.1"), "matterVendorId");
  assert.equal(oidName("1.2.3"), undefined);
});

test("strings: UTF-8 validity, PrintableString and IA5String character sets", () => {
  assert.equal(new DerReader(derUtf8String("Matter ✓")).utf8String("s"), "Matter ✓");
  assert.equal(new DerReader(derPrintableString("Mvid:FFF1 Mpid:8000")).printableString("s"), "Mvid:FFF1 Mpid:8000");
  assert.equal(new DerReader(derIa5String("a@b")).ia5String("s"), "a@b");
  assert.throws(() => new DerReader(fromHex("0c01ff")).utf8String("s"), malformed("der.string"));
  assert.throws(() => new DerReader(fromHex("130140")).printableString("s"), malformed("der.string"));
  assert.throws(() => new DerReader(fromHex("160180")).ia5String("s"), malformed("der.string"));
  assert.throws(() => derPrintableString("a@b"), RangeError);
});

test("UTCTime and GeneralizedTime: exact formats ending in Z with seconds; field ranges checked", () => {
  const d = new Date("2021-06-28T14:23:43Z");
  assert.equal(Buffer.from(derUtcTime(d).subarray(2)).toString(), "210628142343Z");
  assert.equal(new DerReader(derUtcTime(d)).utcTime("t").getTime(), d.getTime());
  const d99 = new Date("9999-12-31T23:59:59Z");
  assert.equal(Buffer.from(derGeneralizedTime(d99).subarray(2)).toString(), "99991231235959Z");
  assert.equal(new DerReader(derGeneralizedTime(d99)).generalizedTime("t").getTime(), d99.getTime());
  assert.equal(new DerReader(derUtcTime(new Date("1950-01-01T00:00:00Z"))).utcTime("t").getUTCFullYear(), 1950);
  assert.equal(derTime(new Date("2050-01-01T00:00:00Z"))[0], 0x18);
  assert.equal(derTime(d)[0], 0x17);
  assert.equal(new DerReader(derTime(d99)).time("t").getTime(), d99.getTime());
  const utc = (s: string) => derTlv(0x17, Buffer.from(s));
  const gen = (s: string) => derTlv(0x18, Buffer.from(s));
  for (const s of [
    "2106281423Z",
    "210628142343",
    "210628142343+0000",
    "211328142343Z",
    "210230000000Z",
    "210628242343Z",
  ]) {
    assert.throws(() => new DerReader(utc(s)).utcTime("t"), malformed("der.time"), s);
  }
  for (const s of ["20210628142343.5Z", "202106281423Z", "20210628142343", "2021062814234Z", "20210628142360Z"]) {
    assert.throws(() => new DerReader(gen(s)).generalizedTime("t"), malformed("der.time"), s);
  }
  assert.equal(new DerReader(gen("00500101000000Z")).generalizedTime("t").getUTCFullYear(), 50);
  assert.throws(() => derUtcTime(new Date("2050-01-01T00:00:00Z")), RangeError);
  assert.throws(() => derUtcTime(new Date(1500)), RangeError);
});

test("SET sorts its elements into DER order; context tags read explicit and implicit forms", () => {
  assert.equal(toHex(derSet(derInteger(2n), derInteger(1n))), "3106020101020102");
  const bytes = derSequence(derContext(0, derInteger(2n)), derContext(1, fromHex("abcd"), false));
  const seq = new DerReader(bytes).sequence("s");
  assert.equal(seq.optionalContextTag(3, "x"), undefined);
  const c0 = seq.optionalContextTag(0, "s/[0]");
  assert.ok(c0);
  assert.equal(c0.integer("v"), 2n);
  c0.expectEnd("s/[0]");
  assert.equal(toHex(seq.implicitPrimitive(1, "s/[1]")), "abcd");
  seq.expectEnd("s");
  assert.equal(new DerReader(derSet(derNull())).set("s").null("n"), null);
  assert.throws(() => derContext(31, new Uint8Array(0)), RangeError);
});

test("reads the X.509 structure of the published Matter Development PAA", () => {
  const pem = readFileSync(join(VECTORS, "Chip-Development-PAA-Cert.pem"), "utf8");
  const der = fromBase64(pem.replace(/-----[^-]+-----/g, ""));
  const top = new DerReader(der);
  const cert = top.sequence("cert");
  top.expectEnd("cert");
  const tbs = cert.sequence("tbs");
  assert.equal(tbs.contextTag(0, "tbs/version").integer("tbs/version"), 2n);
  assert.ok(tbs.integerBytes("tbs/serial").length > 0);
  assert.equal(tbs.sequence("tbs/sigAlg").oid("alg"), OID.ecdsaWithSHA256);
  const issuer = tbs.sequence("tbs/issuer");
  const rdn = issuer.set("rdn").sequence("atv");
  assert.equal(rdn.oid("type"), OID.commonName);
  const validity = tbs.sequence("tbs/validity");
  const notBefore = validity.time("nb");
  const notAfter = validity.time("na");
  assert.ok(notBefore < notAfter);
  tbs.sequence("tbs/subject");
  const spki = tbs.sequence("tbs/spki");
  const alg = spki.sequence("alg");
  assert.equal(alg.oid("alg"), OID.ecPublicKey);
  assert.equal(alg.oid("curve"), OID.prime256v1);
  const key = spki.bitString("key");
  assert.equal(key.unusedBits, 0);
  assert.equal(key.bytes.length, 65);
  assert.equal(key.bytes[0], 0x04);
  // The writer re-encodes the signature algorithm byte-exactly.
  assert.equal(toHex(derSequence(derOid(OID.ecdsaWithSHA256))), "300a06082a8648ce3d040302");
});

/** Walks every element recursively with the strict reader, so that every decoder path runs on random input. */
function walk(r: DerReader, depth: number): void {
  while (!r.done) {
    const tag = r.peekTag()!;
    if (depth > 16) {
      r.readTlv("deep");
      continue;
    }
    switch (tag) {
      case 0x30:
        walk(r.sequence("s"), depth + 1);
        break;
      case 0x31:
        walk(r.set("s"), depth + 1);
        break;
      case 0xa0:
        walk(r.contextTag(0, "c"), depth + 1);
        break;
      case 0x01:
        r.boolean("b");
        break;
      case 0x02:
        r.integer("i");
        break;
      case 0x03:
        r.bitString("b");
        break;
      case 0x05:
        r.null("n");
        break;
      case 0x06:
        r.oid("o");
        break;
      case 0x0c:
        r.utf8String("u");
        break;
      case 0x13:
        r.printableString("p");
        break;
      case 0x16:
        r.ia5String("a");
        break;
      case 0x17:
        r.utcTime("t");
        break;
      case 0x18:
        r.generalizedTime("t");
        break;
      default:
        r.readTlv("x");
    }
  }
}

const derElement = fc.letrec<{ el: Uint8Array }>((tie) => ({
  el: fc.oneof(
    { depthSize: "small" },
    fc.bigInt({ min: -(1n << 80n), max: 1n << 80n }).map(derInteger),
    fc.boolean().map(derBoolean),
    fc.uint8Array({ maxLength: 40 }).map(derOctetString),
    fc.constant(derNull()),
    fc.constantFrom(...Object.values(OID)).map(derOid),
    fc.string({ maxLength: 20 }).map(derUtf8String),
    fc
      .date({ min: new Date("1950-01-01Z"), max: new Date("2049-12-31Z"), noInvalidDate: true })
      .map((d) => derUtcTime(new Date(Math.floor(d.getTime() / 1000) * 1000))),
    fc.array(tie("el"), { maxLength: 4 }).map((xs) => derSequence(...xs)),
  ),
})).el;

test("property: writer output always walks cleanly with the strict reader", () => {
  fc.assert(
    fc.property(derElement, (el) => {
      const r = new DerReader(el);
      walk(r, 0);
      r.expectEnd("top");
    }),
  );
});

test("property: random and mutated bytes either decode or throw MalformedError", () => {
  const mutated = fc.tuple(derElement, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([el, at, b]) => {
    const c = el.slice();
    if (c.length > 0) c[at % c.length] = b;
    return c;
  });
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), mutated), (bytes) => {
      try {
        walk(new DerReader(bytes), 0);
      } catch (e) {
        if (!(e instanceof MalformedError)) throw e;
      }
    }),
    { numRuns: 2000 },
  );
});

test("encodeDer writes a tree in one pass: equal to the element-by-element writer, long lengths, UTF-8 text", () => {
  const long = new Uint8Array(300).fill(7);
  const tree = {
    tag: 0x30,
    children: [
      derInteger(5n),
      { tag: 0x0c, text: "héllo ✓" },
      { tag: 0x13, text: "Plain" },
      { tag: 0x04, content: long },
      { tag: 0x03, content: [Uint8Array.of(0), fromHex("0102")] },
      { tag: 0x31, children: [{ tag: 0x30, children: [] }] },
    ],
  };
  const expected = derSequence(
    derInteger(5n),
    derUtf8String("héllo ✓"),
    derPrintableString("Plain"),
    derOctetString(long),
    derBitString(fromHex("0102")),
    derSet(derSequence()),
  );
  assert.equal(toHex(encodeDer(tree)), toHex(expected));
  assert.equal(toHex(encodeDer(fromHex("0500"))), "0500");
  assert.throws(() => encodeDer({ tag: 0x1f, content: new Uint8Array(0) }), RangeError);
});

test("derTimeOfSeconds formats like Date for every second of 0000..9999 (UTCTime 1950..2049)", () => {
  const year0 = new Date(0);
  year0.setUTCFullYear(0, 0, 1);
  const from = year0.getTime() / 1000;
  const to = Date.UTC(9999, 11, 31, 23, 59, 59) / 1000;
  fc.assert(
    fc.property(fc.integer({ min: from, max: to }), (s) => {
      const iso = new Date(s * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z for years 0..9999
      const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
      assert.equal(Buffer.from(derTimeOfSeconds(s, "generalized").subarray(2)).toString(), digits);
      const year = Number(iso.slice(0, 4));
      if (year >= 1950 && year <= 2049) {
        assert.equal(Buffer.from(derTimeOfSeconds(s, "utc").subarray(2)).toString(), digits.slice(2));
      } else {
        assert.throws(() => derTimeOfSeconds(s, "utc"), RangeError);
      }
    }),
    { numRuns: 2000 },
  );
  assert.throws(() => derTimeOfSeconds(from - 1, "generalized"), RangeError);
  assert.throws(() => derTimeOfSeconds(to + 1, "generalized"), RangeError);
  assert.throws(() => derTimeOfSeconds(1.5, "utc"), RangeError);
});

/** The reader's previous Date-based rule: fields must survive a round trip through setUTCFullYear/setUTCHours. */
function referenceTime(text: string, generalized: boolean): number | undefined {
  const m = (
    generalized ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/ : /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/
  ).exec(text);
  if (m === null) return undefined;
  const y = Number(m[1]);
  const year = generalized ? y : y >= 50 ? 1900 + y : 2000 + y;
  const [month, day, hour, minute, second] = [2, 3, 4, 5, 6].map((i) => Number(m[i]));
  const d = new Date(0);
  d.setUTCFullYear(year, month! - 1, day);
  d.setUTCHours(hour!, minute, second, 0);
  const same =
    d.getUTCFullYear() === year &&
    d.getUTCMonth() === month! - 1 &&
    d.getUTCDate() === day &&
    d.getUTCHours() === hour &&
    d.getUTCMinutes() === minute &&
    d.getUTCSeconds() === second;
  return same ? d.getTime() : undefined;
}

test("UTCTime / GeneralizedTime reading agrees with the Date round-trip rule on random digit strings", () => {
  const digitString = (n: number) =>
    fc.array(fc.constantFrom(..."0123456789".split("")), { minLength: n, maxLength: n });
  // Bias towards plausible fields so that both accepted and rejected values occur often.
  const plausible = fc
    .tuple(
      fc.integer({ min: 0, max: 9999 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: 0, max: 24 }),
      fc.integer({ min: 0, max: 60 }),
      fc.integer({ min: 0, max: 60 }),
    )
    .map((f) => f.map((v, i) => String(v).padStart(i === 0 ? 4 : 2, "0")).join(""));
  const check = (text: string, generalized: boolean) => {
    const element = derTlv(generalized ? 0x18 : 0x17, new TextEncoder().encode(text));
    const expected = referenceTime(text, generalized);
    const r = new DerReader(element);
    if (expected === undefined) {
      assert.throws(() => (generalized ? r.generalizedTime("t") : r.utcTime("t")), malformed("der.time"), text);
    } else {
      assert.equal((generalized ? r.generalizedTime("t") : r.utcTime("t")).getTime(), expected, text);
    }
  };
  fc.assert(
    fc.property(plausible, fc.boolean(), (digits, generalized) => {
      check(`${generalized ? digits : digits.slice(2)}Z`, generalized);
    }),
    { numRuns: 3000 },
  );
  fc.assert(
    fc.property(digitString(14), fc.constantFrom("Z", "z", "0", ""), (d, z) => {
      check(`${d.join("")}${z}`, true);
      check(`${d.slice(2).join("")}${z}`, false);
    }),
    { numRuns: 1000 },
  );
  for (const text of ["000229000000Z", "010229000000Z", "991231235959Z", "500101000000Z"]) check(text, false);
  for (const text of ["20000229000000Z", "19000229000000Z", "00000101000000Z", "99991231235959Z"]) check(text, true);
});
