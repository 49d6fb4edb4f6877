// Message and protocol header codecs: connectedhomeip spec-compliance vectors, interop with matter.js, round trips,
// strictness and robustness.
import assert from "node:assert/strict";
import { test } from "node:test";
import { MessageCodec } from "@matter/protocol";
import fc from "fast-check";
import { fromHex, toHex } from "../../src/bytes/bytes.ts";
import { MalformedError } from "../../src/bytes/errors.ts";
import {
  decodeMessageHeader,
  encodeMessageHeader,
  isUnsecured,
  type MessageHeader,
  SessionType,
  securityFlagsOf,
} from "../../src/message/message-header.ts";
import { decodeProtocolHeader, encodeProtocolHeader, type ProtocolHeader } from "../../src/message/protocol-header.ts";

// connectedhomeip src/transport/raw/tests/TestMessageHeader.cpp, theSpecComplianceTestVector.
const SPEC_VECTORS: { hex: string; header: MessageHeader; secured: boolean }[] = [
  {
    hex: "0088770044332211",
    header: {
      sessionId: 0x7788,
      sessionType: SessionType.unicast,
      privacy: false,
      control: false,
      messageCounter: 0x11223344,
    },
    secured: true,
  },
  {
    hex: "02eeddc1403020105634",
    header: {
      sessionId: 0xddee,
      sessionType: SessionType.group,
      privacy: true,
      control: true,
      messageCounter: 0x10203040,
      destinationGroupId: 0x3456,
    },
    secured: true,
  },
  {
    hex: "0000000040302010",
    header: {
      sessionId: 0,
      sessionType: SessionType.unicast,
      privacy: false,
      control: false,
      messageCounter: 0x10203040,
    },
    secured: false,
  },
];

test("message header: connectedhomeip spec-compliance vectors encode and decode exactly", () => {
  for (const v of SPEC_VECTORS) {
    assert.equal(toHex(encodeMessageHeader(v.header)), v.hex);
    const d = decodeMessageHeader(fromHex(v.hex));
    assert.deepEqual(d.header, v.header);
    assert.equal(toHex(d.headerBytes), v.hex);
    assert.equal(d.payload.length, 0);
    assert.equal(isUnsecured(d.header), !v.secured);
  }
  assert.equal(securityFlagsOf(SPEC_VECTORS[1]!.header), 0xc1);
});

test("message header: source and destination node ids, sizes 8 / 16 / 24 / 26 bytes", () => {
  const base = { sessionId: 2, sessionType: SessionType.unicast, privacy: false, control: false, messageCounter: 234 };
  assert.equal(encodeMessageHeader(base).length, 8);
  assert.equal(encodeMessageHeader({ ...base, sourceNodeId: 77n }).length, 16);
  const both = encodeMessageHeader({ ...base, sourceNodeId: 77n, destinationNodeId: 88n });
  assert.equal(toHex(both), "050200" + "00" + "ea000000" + "4d00000000000000" + "5800000000000000");
  const withMx = encodeMessageHeader({ ...base, sourceNodeId: 77n, messageExtensions: new Uint8Array([1, 2]) });
  assert.equal(withMx.length, 16 + 4);
  const d = decodeMessageHeader(new Uint8Array([...withMx, 0xaa, 0xbb]));
  assert.deepEqual([...d.header.messageExtensions!], [1, 2]);
  assert.deepEqual([...d.payload], [0xaa, 0xbb]);
  assert.equal(securityFlagsOf(d.header), 0x20);
});

test("message header: every truncation of a full header is an overrun naming the field", () => {
  const full = encodeMessageHeader({
    sessionId: 9,
    sessionType: SessionType.group,
    privacy: false,
    control: false,
    messageCounter: 1,
    sourceNodeId: 1n,
    destinationGroupId: 25,
    messageExtensions: new Uint8Array(3),
  });
  for (let n = 0; n < full.length; n++) {
    assert.throws(
      () => decodeMessageHeader(full.subarray(0, n)),
      (e) => e instanceof MalformedError && e.code === "bytes.overrun" && (e.path ?? "").startsWith("messageHeader/"),
    );
  }
  assert.equal(decodeMessageHeader(full).headerBytes.length, full.length);
});

test("message header: version, DSIZ 3, reserved session types and reserved bits are rejected", () => {
  const cases: [string, string][] = [
    ["1000000001000000", "message.version"],
    ["0300000001000000", "message.dsiz"],
    ["0800000001000000", "message.reserved-bits"],
    ["0000000201000000", "message.session-type"],
    ["0000000301000000", "message.session-type"],
    ["0000000401000000", "message.reserved-bits"],
  ];
  for (const [hex, code] of cases) {
    assert.throws(
      () => decodeMessageHeader(fromHex(hex)),
      (e) => e instanceof MalformedError && e.code === code,
      hex,
    );
  }
});

test("message header: API misuse is a RangeError or TypeError, not malformed bytes", () => {
  const base = { sessionId: 1, sessionType: SessionType.unicast, privacy: false, control: false, messageCounter: 1 };
  assert.throws(() => encodeMessageHeader({ ...base, sessionId: 0x10000 }), RangeError);
  assert.throws(() => encodeMessageHeader({ ...base, messageCounter: -1 }), RangeError);
  assert.throws(() => encodeMessageHeader({ ...base, destinationNodeId: 1n, destinationGroupId: 1 }), TypeError);
});

const arbMessageHeader: fc.Arbitrary<MessageHeader> = fc
  .record({
    sessionId: fc.integer({ min: 0, max: 0xffff }),
    group: fc.boolean(),
    privacy: fc.boolean(),
    control: fc.boolean(),
    messageCounter: fc.integer({ min: 0, max: 0xffffffff }),
    sourceNodeId: fc.option(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { nil: undefined }),
    dest: fc.oneof(
      fc.constant(undefined),
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      fc.integer({ min: 0, max: 0xffff }),
    ),
    messageExtensions: fc.option(fc.uint8Array({ maxLength: 20 }), { nil: undefined }),
  })
  .map((r) => ({
    sessionId: r.sessionId,
    sessionType: r.group ? SessionType.group : SessionType.unicast,
    privacy: r.privacy,
    control: r.control,
    messageCounter: r.messageCounter,
    ...(r.sourceNodeId !== undefined ? { sourceNodeId: r.sourceNodeId } : {}),
    ...(typeof r.dest === "bigint" ? { destinationNodeId: r.dest } : {}),
    ...(typeof r.dest === "number" ? { destinationGroupId: r.dest } : {}),
    ...(r.messageExtensions !== undefined ? { messageExtensions: r.messageExtensions } : {}),
  }));

test("message header: decode(encode(h)) = h and the payload is split off exactly", () => {
  fc.assert(
    fc.property(arbMessageHeader, fc.uint8Array({ maxLength: 16 }), (h, payload) => {
      const bytes = encodeMessageHeader(h);
      const d = decodeMessageHeader(new Uint8Array([...bytes, ...payload]));
      assert.deepEqual(d.header, h);
      assert.deepEqual(d.headerBytes, bytes);
      assert.deepEqual(d.payload, payload);
    }),
  );
});

test("message header: random and mutated bytes decode or throw MalformedError", () => {
  const check = (bytes: Uint8Array): void => {
    try {
      decodeMessageHeader(bytes);
    } catch (e) {
      assert.ok(e instanceof MalformedError, String(e));
    }
  };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), check));
  fc.assert(
    fc.property(arbMessageHeader, fc.nat(), fc.integer({ min: 0, max: 255 }), (h, at, b) => {
      const bytes = encodeMessageHeader(h);
      bytes[at % bytes.length] = b;
      check(bytes);
    }),
  );
});

test("message header: interop, matter.js MessageCodec reads what we write (unicast headers)", () => {
  fc.assert(
    fc.property(arbMessageHeader, (h0) => {
      // matter.js checks semantics we leave to the session layer: unicast, no privacy, no group destination,
      // and it refuses control messages.
      const { destinationGroupId: _g, ...rest } = h0;
      const h: MessageHeader = { ...rest, sessionType: SessionType.unicast, privacy: false, control: false };
      const bytes = encodeMessageHeader(h);
      const p = MessageCodec.decodePacket(new Uint8Array([...bytes, 0x01]));
      assert.equal(p.header.sessionId, h.sessionId);
      assert.equal(p.header.messageId, h.messageCounter);
      assert.equal(p.header.isControlMessage, h.control);
      assert.equal(p.header.securityFlags, securityFlagsOf(h));
      assert.equal(p.header.sourceNodeId === undefined ? undefined : BigInt(p.header.sourceNodeId), h.sourceNodeId);
      assert.equal(p.header.destNodeId === undefined ? undefined : BigInt(p.header.destNodeId), h.destinationNodeId);
      assert.deepEqual([...p.applicationPayload], [0x01]);
    }),
  );
});

const arbProtocolHeader: fc.Arbitrary<ProtocolHeader> = fc
  .record({
    initiator: fc.boolean(),
    reliability: fc.boolean(),
    ack: fc.option(fc.integer({ min: 0, max: 0xffffffff }), { nil: undefined }),
    opcode: fc.integer({ min: 0, max: 0xff }),
    exchangeId: fc.integer({ min: 0, max: 0xffff }),
    vendor: fc.option(fc.integer({ min: 1, max: 0xffff }), { nil: undefined }),
    protocolId: fc.integer({ min: 0, max: 0xffff }),
    sx: fc.option(fc.uint8Array({ maxLength: 10 }), { nil: undefined }),
  })
  .map((r) => ({
    initiator: r.initiator,
    reliability: r.reliability,
    opcode: r.opcode,
    exchangeId: r.exchangeId,
    protocolId: r.protocolId,
    ...(r.ack !== undefined ? { acknowledgedMessageCounter: r.ack } : {}),
    ...(r.vendor !== undefined ? { protocolVendorId: r.vendor } : {}),
    ...(r.sx !== undefined ? { securedExtensions: r.sx } : {}),
  }));

test("protocol header: known layout of an initiator standalone ack", () => {
  const bytes = encodeProtocolHeader({
    initiator: true,
    reliability: false,
    acknowledgedMessageCounter: 0x01020304,
    opcode: 0x10,
    exchangeId: 0x1234,
    protocolId: 0,
  });
  assert.equal(toHex(bytes), "03" + "10" + "3412" + "0000" + "04030201");
  const v = encodeProtocolHeader(
    { initiator: false, reliability: true, opcode: 0x70, exchangeId: 2233, protocolVendorId: 0xfff1, protocolId: 1221 },
    new Uint8Array([9]),
  );
  assert.equal(toHex(v), "14" + "70" + "b908" + "f1ff" + "c504" + "09");
});

test("protocol header: decode(encode(h)) = h, and matter.js decodes the same fields", () => {
  fc.assert(
    fc.property(arbProtocolHeader, fc.uint8Array({ maxLength: 8 }), (h, app) => {
      const bytes = encodeProtocolHeader(h, app);
      const d = decodeProtocolHeader(bytes);
      assert.deepEqual(d.header, h);
      assert.deepEqual(d.applicationPayload, app);
      if (h.protocolVendorId === undefined && h.securedExtensions === undefined) {
        const m = MessageCodec.decodePayload({
          header: {
            sessionId: 1,
            sessionType: 0,
            hasPrivacyEnhancements: false,
            isControlMessage: false,
            hasMessageExtensions: false,
            messageId: 1,
            securityFlags: 0,
          },
          applicationPayload: bytes,
        } as Parameters<typeof MessageCodec.decodePayload>[0]);
        assert.equal(m.payloadHeader.exchangeId, h.exchangeId);
        assert.equal(m.payloadHeader.messageType, h.opcode);
        assert.equal(m.payloadHeader.protocolId, h.protocolId);
        assert.equal(m.payloadHeader.isInitiatorMessage, h.initiator);
        assert.equal(m.payloadHeader.requiresAck, h.reliability);
        assert.equal(m.payloadHeader.ackedMessageId, h.acknowledgedMessageCounter);
        assert.deepEqual([...m.payload], [...app]);
      }
    }),
  );
});

test("protocol header: reserved flags, explicit vendor 0 and truncation are malformed", () => {
  assert.throws(
    () => decodeProtocolHeader(fromHex("20100000" + "0000")),
    (e) => e instanceof MalformedError && e.code === "message.reserved-bits",
  );
  assert.throws(
    () => decodeProtocolHeader(fromHex("10100000" + "0000" + "0000")),
    (e) => e instanceof MalformedError && e.code === "message.vendor-id" && e.offset === 4,
  );
  const full = encodeProtocolHeader({
    initiator: true,
    reliability: true,
    acknowledgedMessageCounter: 5,
    opcode: 1,
    exchangeId: 2,
    protocolVendorId: 3,
    protocolId: 4,
    securedExtensions: new Uint8Array(2),
  });
  for (let n = 0; n < full.length; n++) {
    assert.throws(
      () => decodeProtocolHeader(full.subarray(0, n)),
      (e) => e instanceof MalformedError && e.code === "bytes.overrun" && (e.path ?? "").startsWith("protocolHeader/"),
    );
  }
});

test("protocol header: random and mutated bytes decode or throw MalformedError", () => {
  const check = (bytes: Uint8Array): void => {
    try {
      decodeProtocolHeader(bytes);
    } catch (e) {
      assert.ok(e instanceof MalformedError, String(e));
    }
  };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 30 }), check));
  fc.assert(
    fc.property(arbProtocolHeader, fc.nat(), fc.integer({ min: 0, max: 255 }), (h, at, b) => {
      const bytes = encodeProtocolHeader(h);
      bytes[at % bytes.length] = b;
      check(bytes);
    }),
  );
});

test("an extension block longer than its 16-bit length field is a RangeError naming it, in either header", () => {
  const tooLong = new Uint8Array(0x10000);
  const base = { sessionId: 2, sessionType: SessionType.unicast, privacy: false, control: false, messageCounter: 1 };
  assert.throws(() => encodeMessageHeader({ ...base, messageExtensions: tooLong }), {
    name: "RangeError",
    message: "messageExtensions longer than 65535 bytes",
  });
  const protocol = { initiator: true, reliability: false, opcode: 1, exchangeId: 2, protocolId: 4 };
  assert.throws(() => encodeProtocolHeader({ ...protocol, securedExtensions: tooLong }), {
    name: "RangeError",
    message: "securedExtensions longer than 65535 bytes",
  });
  // The longest block fits: 2 length bytes and 65535 bytes after the 6-byte protocol header.
  const longest = encodeProtocolHeader({ ...protocol, securedExtensions: new Uint8Array(0xffff) });
  assert.equal(longest.length, 6 + 2 + 0xffff);
  assert.equal(decodeProtocolHeader(longest).header.securedExtensions?.length, 0xffff);
});
