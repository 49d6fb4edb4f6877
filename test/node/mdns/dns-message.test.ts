// The DNS message codec of src/node/mdns/dns-message.ts (RFC 1035 4.1, RFC 6762/6763): exact query bytes, name
// compression, round trips, pointer loops and bad pointers, truncation and RDATA overruns rejected with MalformedError
// naming the field, unknown records skipped, TXT key/value rules; plus the older test-support codec beside this file.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { MalformedError } from "../../../src/bytes/errors.ts";
import {
  type DnsMessage,
  type DnsQuestion,
  DnsRecordType,
  type DnsResourceRecord,
  decodeDnsMessage,
  dnsNameFromLabels,
  dnsNameLabels,
  encodeDnsMessage,
  encodeDnsQuery,
  formatIpv6,
  parseIpv6,
  parseTxtEntries,
  txtEntries,
} from "../../../src/node/mdns/dns-message.ts";
import { decodeMessage, encodeQuery, RR_TYPE } from "./dns-message.ts";

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const ascii = (s: string): string => Buffer.from(s, "ascii").toString("hex");
const label = (s: string): string => s.length.toString(16).padStart(2, "0") + ascii(s);
const malformed =
  (code: string, path?: RegExp) =>
  (e: unknown): boolean =>
    e instanceof MalformedError && e.code === code && (path === undefined || path.test(e.path ?? ""));

const HEADER_RESPONSE_1_ANSWER = "0000 8400 0000 0001 0000 0000";
const MATTERC_UDP_LOCAL = `${label("_matterc")}${label("_udp")}${label("local")}00`;

describe("encoding", () => {
  test("a QU query for the _L subtype is the exact RFC 1035 layout with the QU bit in the class", () => {
    const q = encodeDnsQuery([
      { name: "_L3840._sub._matterc._udp.local", type: DnsRecordType.PTR, unicastResponse: true },
    ]);
    assert.equal(
      Buffer.from(q).toString("hex"),
      `0000 0000 0001 0000 0000 0000 ${label("_L3840")}${label("_sub")}${MATTERC_UDP_LOCAL} 000c 8001`.replace(
        / /g,
        "",
      ),
    );
  });

  test("a legacy unicast query carries its id; questions of every type decode back", () => {
    const questions: DnsQuestion[] = [
      DnsRecordType.PTR,
      DnsRecordType.SRV,
      DnsRecordType.TXT,
      DnsRecordType.A,
      DnsRecordType.AAAA,
      DnsRecordType.ANY,
    ].map((type) => ({ name: "x.local", type, unicastResponse: false }));
    const m = decodeDnsMessage(encodeDnsQuery(questions, 0x1234));
    assert.equal(m.id, 0x1234);
    assert.equal(m.isResponse, false);
    assert.deepEqual(m.questions, questions);
  });

  test("names repeated in a message are compressed to pointers at their first occurrence", () => {
    const instance = "ABCDEF0123456789._matterc._udp.local";
    const msg = {
      isResponse: true,
      authoritative: true,
      answers: [
        { name: "_matterc._udp.local", ttl: 4500, cacheFlush: false, type: DnsRecordType.PTR, target: instance },
      ],
    } as const;
    const compressed = encodeDnsMessage(msg);
    const plain = encodeDnsMessage(msg, { compress: false });
    // The PTR target is its first label and a pointer to the owner name at offset 12.
    assert.equal(
      Buffer.from(compressed).toString("hex"),
      `${HEADER_RESPONSE_1_ANSWER}${MATTERC_UDP_LOCAL}000c 0001 00001194 0013 ${label("ABCDEF0123456789")}c00c`.replace(
        / /g,
        "",
      ),
    );
    assert.equal(plain.length, compressed.length + MATTERC_UDP_LOCAL.length / 2 - 2);
    assert.deepEqual(decodeDnsMessage(plain), decodeDnsMessage(compressed));
  });

  test("misuse is a RangeError: empty, 64-byte and over-long names, bad escapes, bad addresses, empty TXT", () => {
    const rec = (over: Partial<DnsResourceRecord>) =>
      encodeDnsMessage({
        answers: [
          {
            name: "a.local",
            ttl: 1,
            cacheFlush: false,
            type: DnsRecordType.A,
            address: "1.2.3.4",
            ...over,
          } as DnsResourceRecord,
        ],
      });
    assert.throws(() => encodeDnsQuery([]), RangeError);
    assert.throws(() => rec({ name: "" }), RangeError);
    assert.throws(() => rec({ name: "a..local" }), RangeError);
    assert.throws(() => rec({ name: `${"x".repeat(64)}.local` }), RangeError);
    assert.throws(() => rec({ name: Array(64).fill("abc").join(".") }), RangeError);
    assert.throws(() => rec({ name: "a\\x.local" }), RangeError);
    assert.throws(() => rec({ address: "1.2.3.256" }), RangeError);
    assert.throws(() => rec({ type: DnsRecordType.AAAA, address: "1::2::3" } as never), RangeError);
    assert.throws(() => rec({ type: DnsRecordType.TXT, entries: [] } as never), RangeError);
    assert.throws(() => rec({ ttl: -1 }), RangeError);
  });
});

describe("names and addresses", () => {
  test("a label's own dot and backslash are escaped; the root name is '.'", () => {
    assert.deepEqual(dnsNameLabels("My\\.Light\\\\2._matterc._udp.local."), [
      "My.Light\\2",
      "_matterc",
      "_udp",
      "local",
    ]);
    assert.equal(dnsNameFromLabels(["My.Light\\2", "local"]), "My\\.Light\\\\2.local");
    assert.deepEqual(dnsNameLabels("."), []);
    const m = decodeDnsMessage(
      encodeDnsMessage({
        answers: [
          {
            name: "x.local",
            ttl: 1,
            cacheFlush: false,
            type: DnsRecordType.SRV,
            priority: 0,
            weight: 0,
            port: 1,
            target: ".",
          },
        ],
      }),
    );
    assert.equal(m.answers[0]?.type === DnsRecordType.SRV && m.answers[0].target, ".");
  });

  test("IPv6 text is RFC 5952 canonical: lower case, longest zero run compressed, single zero groups kept", () => {
    const cases: [string, string][] = [
      ["::1", "::1"],
      ["FE80:0:0:0:0:0:0:1", "fe80::1"],
      ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
      ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
      ["::", "::"],
      ["::ffff:192.0.2.1", "::ffff:c000:201"],
    ];
    for (const [input, canonical] of cases) assert.equal(formatIpv6(parseIpv6(input)), canonical, input);
  });
});

describe("decoding", () => {
  // PTR _matterc._udp.local -> X._matterc._udp.local (compressed), then an SRV and a TXT owned by the PTR's target
  // (a pointer into RDATA), an A and an AAAA for the SRV target, an NSEC (skipped), cache-flush set on all but the PTR.
  const host = "X.local";
  const RESPONSE = encodeDnsMessage({
    isResponse: true,
    authoritative: true,
    answers: [
      {
        name: "_matterc._udp.local",
        ttl: 120,
        cacheFlush: false,
        type: DnsRecordType.PTR,
        target: "X._matterc._udp.local",
      },
    ],
    additionals: [
      {
        name: "X._matterc._udp.local",
        ttl: 120,
        cacheFlush: true,
        type: DnsRecordType.SRV,
        priority: 0,
        weight: 0,
        port: 5540,
        target: host,
      },
      {
        name: "X._matterc._udp.local",
        ttl: 4500,
        cacheFlush: true,
        type: DnsRecordType.TXT,
        entries: txtEntries([
          ["D", "3840"],
          ["CM", "1"],
        ]),
      },
      { name: host, ttl: 120, cacheFlush: true, type: DnsRecordType.A, address: "192.168.1.20" },
      { name: host, ttl: 120, cacheFlush: true, type: DnsRecordType.AAAA, address: "fe80::1" },
    ],
  });

  test("a compressed mDNS response decodes: PTR, SRV, TXT, A, AAAA with TTLs and cache-flush bits", () => {
    const m = decodeDnsMessage(RESPONSE);
    assert.equal(m.isResponse, true);
    assert.equal(m.authoritative, true);
    assert.deepEqual(m.answers, [
      { name: "_matterc._udp.local", ttl: 120, cacheFlush: false, type: 12, target: "X._matterc._udp.local" },
    ]);
    assert.deepEqual(
      m.additionals.map((r) => ({
        ...r,
        ...(r.type === DnsRecordType.TXT ? { entries: parseTxtEntries(r.entries) } : {}),
      })),
      [
        {
          name: "X._matterc._udp.local",
          ttl: 120,
          cacheFlush: true,
          type: 33,
          priority: 0,
          weight: 0,
          port: 5540,
          target: host,
        },
        {
          name: "X._matterc._udp.local",
          ttl: 4500,
          cacheFlush: true,
          type: 16,
          entries: new Map([
            ["D", "3840"],
            ["CM", "1"],
          ]),
        },
        { name: host, ttl: 120, cacheFlush: true, type: 1, address: "192.168.1.20" },
        { name: host, ttl: 120, cacheFlush: true, type: 28, address: "fe80::1" },
      ],
    );
  });

  test("records of other types and classes are skipped by RDLENGTH and counted", () => {
    const nsec = `c00c 002f 8001 00000078 0006 c00c 00 02 0000`; // NSEC owned by the first name
    const chaos = `c00c 0001 0003 00000078 0004 01020304`; // class CH
    const bytes = hex(
      `0000 8400 0000 0003 0000 0000 ${MATTERC_UDP_LOCAL} 0001 0001 00000078 0004 0a000001 ${nsec} ${chaos}`,
    );
    const m = decodeDnsMessage(bytes);
    assert.equal(m.skippedRecords, 2);
    assert.deepEqual(m.answers, [
      { name: "_matterc._udp.local", ttl: 120, cacheFlush: false, type: 1, address: "10.0.0.1" },
    ]);
  });

  test("every truncation of a valid response is a MalformedError naming where it ran out", () => {
    for (let n = 0; n < RESPONSE.length; n++) {
      assert.throws(
        () => decodeDnsMessage(RESPONSE.subarray(0, n)),
        (e: unknown) => e instanceof MalformedError && e.path !== undefined,
        `length ${n}`,
      );
    }
    assert.throws(() => decodeDnsMessage(Uint8Array.of(...RESPONSE, 0)), malformed("bytes.trailing", /^message$/));
  });

  const oneAnswer = (name: string, rest = "0001 0001 00000078 0004 01020304") =>
    hex(`${HEADER_RESPONSE_1_ANSWER} ${name} ${rest}`);

  test("compression pointer loops are rejected: a self pointer, a two-pointer cycle, a label that points back at itself", () => {
    assert.throws(() => decodeDnsMessage(oneAnswer("c00c")), malformed("dns.name-pointer-loop", /^answer\[0\]\/name$/));
    // Offset 12: pointer to 14; offset 14: pointer to 12.
    assert.throws(() => decodeDnsMessage(oneAnswer("c00e c00c")), malformed("dns.name-pointer-loop"));
    // Offset 12: label "a" then a pointer back to 12: the name grows until it passes 255 bytes.
    assert.throws(() => decodeDnsMessage(oneAnswer(`${label("a")} c00c`)), malformed("dns.name-pointer-loop"));
    // With a long label the name passes 255 bytes before the hop limit.
    assert.throws(() => decodeDnsMessage(oneAnswer(`${label("abcdefghij")} c00c`)), malformed("dns.name-length"));
  });

  test("pointers into the header or past the end, and reserved label types, are rejected", () => {
    assert.throws(() => decodeDnsMessage(oneAnswer("c002")), malformed("dns.name-pointer"));
    assert.throws(() => decodeDnsMessage(oneAnswer("c0ff")), malformed("dns.name-pointer"));
    assert.throws(() => decodeDnsMessage(oneAnswer("4001")), malformed("dns.label-type"));
    assert.throws(() => decodeDnsMessage(oneAnswer("8001")), malformed("dns.label-type"));
    assert.throws(() => decodeDnsMessage(oneAnswer(`02ff fe 00`)), malformed("dns.label-utf8"));
  });

  test("a pointer forward, to a name later in the message, is followed", () => {
    // Answer 1 (PTR at 12) names "_matterc._udp.local" by a pointer to answer 2's owner name, written after it.
    const second = 12 + 2 + 10 + 2;
    const bytes = hex(
      `0000 8400 0000 0002 0000 0000 c0${second.toString(16)} 000c 0001 00000078 0002 c0${second.toString(16)} ${MATTERC_UDP_LOCAL} 0001 0001 00000078 0004 01020304`,
    );
    const m = decodeDnsMessage(bytes);
    assert.deepEqual(
      m.answers.map((r) => r.name),
      ["_matterc._udp.local", "_matterc._udp.local"],
    );
  });

  test("RDATA fields may not run past RDLENGTH, nor leave bytes of it unread", () => {
    const name = `${label("a")}00`;
    // SRV with RDLENGTH 5: the port runs out.
    assert.throws(
      () => decodeDnsMessage(oneAnswer(name, "0021 0001 00000078 0005 0000 0000 15 00")),
      malformed("bytes.overrun", /srv\/port$/),
    );
    // A with RDLENGTH 5.
    assert.throws(
      () => decodeDnsMessage(oneAnswer(name, "0001 0001 00000078 0005 0102030405")),
      malformed("bytes.trailing", /rdata$/),
    );
    // A with RDLENGTH 3.
    assert.throws(
      () => decodeDnsMessage(oneAnswer(name, "0001 0001 00000078 0003 010203")),
      malformed("bytes.overrun", /\/a$/),
    );
    // TXT whose string length runs past RDLENGTH, and an empty TXT.
    assert.throws(
      () => decodeDnsMessage(oneAnswer(name, "0010 0001 00000078 0002 0561")),
      malformed("bytes.overrun", /txt$/),
    );
    assert.throws(() => decodeDnsMessage(oneAnswer(name, "0010 0001 00000078 0000")), malformed("dns.txt-empty"));
    // RDLENGTH past the end of the message.
    assert.throws(
      () => decodeDnsMessage(oneAnswer(name, "0001 0001 00000078 0010 01020304")),
      malformed("bytes.overrun", /rdata$/),
    );
  });
});

describe("TXT key/value pairs (RFC 6763 6)", () => {
  test("keys fold to upper case, the first occurrence wins, a bare key is a boolean, bad strings are ignored", () => {
    const enc = new TextEncoder();
    const txt = parseTxtEntries([
      enc.encode("d=3840"),
      enc.encode("D=1"),
      enc.encode("flag"),
      enc.encode("=x"),
      new Uint8Array(0),
      Uint8Array.of(0x56, 0x3d, 0xff),
      enc.encode("DN=Küche=1"),
    ]);
    assert.deepEqual(
      txt,
      new Map([
        ["D", "3840"],
        ["FLAG", ""],
        ["DN", "Küche=1"],
      ]),
    );
  });
});

// fc.record builds null-prototype objects; deepStrictEqual compares prototypes, and the decoder returns plain objects.
const record = <T extends Record<string, fc.Arbitrary<unknown>>>(model: T) =>
  fc.record(model).map((o) => ({ ...o }) as { [K in keyof T]: T[K] extends fc.Arbitrary<infer U> ? U : never });

// Arbitraries for round trips: names of 1-4 labels (with dots, backslashes, non-ASCII), records of every decoded type.
const labelArb = fc.string({
  minLength: 1,
  maxLength: 12,
  unit: fc.constantFrom("a", "B", "_", "-", "0", ".", "\\", "é", "灯"),
});
const nameArb = fc.array(labelArb, { minLength: 1, maxLength: 4 }).map((ls) => dnsNameFromLabels([...ls, "local"]));
const common = { name: nameArb, ttl: fc.nat({ max: 0xffffffff }), cacheFlush: fc.boolean() };
const recordArb: fc.Arbitrary<DnsResourceRecord> = fc.oneof(
  record({ ...common, type: fc.constant(DnsRecordType.A), address: fc.ipV4() }),
  record({
    ...common,
    type: fc.constant(DnsRecordType.AAAA),
    address: fc.uint8Array({ minLength: 16, maxLength: 16 }).map(formatIpv6),
  }),
  record({ ...common, type: fc.constant(DnsRecordType.PTR), target: nameArb }),
  record({
    ...common,
    type: fc.constant(DnsRecordType.SRV),
    priority: fc.nat(0xffff),
    weight: fc.nat(0xffff),
    port: fc.nat(0xffff),
    target: nameArb,
  }),
  record({
    ...common,
    type: fc.constant(DnsRecordType.TXT),
    entries: fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 4 }),
  }),
) as fc.Arbitrary<DnsResourceRecord>;
const messageArb: fc.Arbitrary<DnsMessage> = record({
  id: fc.nat(0xffff),
  isResponse: fc.boolean(),
  opcode: fc.nat(15),
  authoritative: fc.boolean(),
  truncated: fc.boolean(),
  rcode: fc.nat(15),
  questions: fc.array(
    record({ name: nameArb, type: fc.constantFrom(1, 12, 16, 28, 33, 255), unicastResponse: fc.boolean() }),
    { maxLength: 3 },
  ),
  answers: fc.array(recordArb, { maxLength: 4 }),
  authorities: fc.array(recordArb, { maxLength: 2 }),
  additionals: fc.array(recordArb, { maxLength: 4 }),
  skippedRecords: fc.constant(0),
});

describe("properties", () => {
  test("round trip: decode(encode(m)) = m, compressed or not, and compression never grows a message", () => {
    fc.assert(
      fc.property(messageArb, (m) => {
        const compressed = encodeDnsMessage(m);
        const plain = encodeDnsMessage(m, { compress: false });
        assert.deepEqual(decodeDnsMessage(compressed), m);
        assert.deepEqual(decodeDnsMessage(plain), m);
        assert.ok(compressed.length <= plain.length);
      }),
      { numRuns: 300 },
    );
  });

  test("robustness: random and mutated bytes decode or raise MalformedError, nothing else", () => {
    const check = (bytes: Uint8Array): void => {
      try {
        decodeDnsMessage(bytes);
      } catch (e) {
        if (!(e instanceof MalformedError)) throw e;
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), check), { numRuns: 2000 });
    fc.assert(
      fc.property(
        messageArb.map((m) => encodeDnsMessage(m)),
        fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 6 }),
        fc.nat(),
        (bytes, mutations, cut) => {
          const b = Uint8Array.from(bytes);
          for (const [i, v] of mutations) b[i % b.length] = v;
          check(b);
          check(b.subarray(0, cut % (b.length + 1)));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

// The test-support codec (./dns-message.ts) that mdns-netns.ts relies on keeps its own pins.
describe("the test-support codec", () => {
  // A response: PTR _matter._tcp.local -> X._matter._tcp.local (compressed), with a TXT "T=0", cache-flush set.
  const SUPPORT_RESPONSE = Uint8Array.from([
    0x00, 0x00, 0x84, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
    // answer 1 at 12: name _matter._tcp.local
    7, 0x5f, 0x6d, 0x61, 0x74, 0x74, 0x65, 0x72, 4, 0x5f, 0x74, 0x63, 0x70, 5, 0x6c, 0x6f, 0x63, 0x61, 0x6c, 0, 0x00,
    0x0c, 0x00, 0x01, 0x00, 0x00, 0x11, 0x94, 0x00, 0x04,
    // rdata: "X" + pointer to 12
    1, 0x58, 0xc0, 0x0c,
    // answer 2: name = pointer to the PTR's rdata at 42 (X._matter._tcp.local)
    0xc0, 42, 0x00, 0x10, 0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 3, 0x54, 0x3d, 0x30,
  ]);

  test("a query encodes names, type and class; it decodes back", () => {
    const q = encodeQuery(["_matterc._udp.local"], RR_TYPE.PTR);
    const m = decodeMessage(q);
    assert.deepEqual(m, {
      id: 0,
      response: false,
      questions: [{ name: "_matterc._udp.local", type: 12 }],
      records: [],
    });
  });

  test("a compressed response decodes: PTR target, TXT strings, TTL and cache-flush", () => {
    const m = decodeMessage(SUPPORT_RESPONSE);
    assert.equal(m.response, true);
    assert.deepEqual(m.records, [
      { name: "_matter._tcp.local", type: 12, cacheFlush: false, ttl: 4500, data: "X._matter._tcp.local" },
      { name: "X._matter._tcp.local", type: 16, cacheFlush: true, ttl: 0, data: ["T=0"] },
    ]);
  });

  test("a compression pointer loop is rejected", () => {
    const loop = Uint8Array.from([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 12, 0, 1]);
    assert.throws(
      () => decodeMessage(loop),
      (e: unknown) => e instanceof MalformedError && e.code === "dns.name-pointer-loop",
    );
  });

  test("property: random and mutated bytes decode or throw MalformedError", () => {
    const check = (bytes: Uint8Array): void => {
      try {
        decodeMessage(bytes);
      } catch (e) {
        if (!(e instanceof MalformedError)) throw e;
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), check), { numRuns: 2000 });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(SUPPORT_RESPONSE.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        (muts) => {
          const b = Uint8Array.from(SUPPORT_RESPONSE);
          for (const [i, v] of muts) b[i] = v;
          check(b);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
