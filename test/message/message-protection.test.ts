// AES-CCM message protection: the spec nonce layout, interop with matter.js (independent CCM and nonce code),
// tamper detection and the unsupported privacy flag.
import assert from "node:assert/strict";
import { test } from "node:test";
import { StandardCrypto } from "@matter/general";
import { MessageCodec, Session } from "@matter/protocol";
import fc from "fast-check";
import { fromHex, toHex } from "../../src/bytes/bytes.ts";
import { MalformedError } from "../../src/bytes/errors.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { decodeMessageHeader, type MessageHeader, SessionType } from "../../src/message/message-header.ts";
import { MIC_BYTES, messageNonce, protectMessage, unprotectMessage } from "../../src/message/message-protection.ts";
import { decodeProtocolHeader, encodeProtocolHeader } from "../../src/message/protocol-header.ts";

// matter.js keeps its nonce builder protected; reach it for the interop comparison only.
const mjNonce = (Session as unknown as { generateNonce(f: number, c: number, n: bigint): Uint8Array }).generateNonce;

const KEY = fromHex("5eded244e5532b3cdc23409dbad052d2");
const HEADER: MessageHeader = {
  sessionId: 0x7788,
  sessionType: SessionType.unicast,
  privacy: false,
  control: false,
  messageCounter: 0x11223344,
};

test("message nonce: security flags || counter LE || source node id LE (4.8.1.1), as matter.js builds it", () => {
  assert.equal(toHex(messageNonce(0x00, 0x11223344, 0x0102030405060708n)), "00" + "44332211" + "0807060504030201");
  assert.equal(toHex(messageNonce(0xc1, 1, 0n)), "c1" + "01000000" + "0000000000000000");
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      (flags, counter, node) => {
        assert.deepEqual([...messageNonce(flags, counter, node)], [...mjNonce(flags, counter, node)]);
      },
    ),
  );
});

test("protected message: pinned bytes, round trip and a 16-byte MIC", () => {
  const payload = encodeProtocolHeader(
    { initiator: true, reliability: true, opcode: 0x02, exchangeId: 0x1234, protocolId: 1 },
    fromHex("1528002801360215"),
  );
  const msg = protectMessage(nodeCrypto, KEY, HEADER, payload, 0x0102030405060708n);
  assert.equal(msg.length, 8 + payload.length + MIC_BYTES);
  assert.equal(toHex(msg.subarray(0, 8)), "0088770044332211");
  const d = decodeMessageHeader(msg);
  const plain = unprotectMessage(nodeCrypto, KEY, d, 0x0102030405060708n);
  assert.deepEqual(plain, payload);
  assert.equal(decodeProtocolHeader(plain).header.exchangeId, 0x1234);
  // The same inputs must always give the same bytes: CCM is deterministic for a (key, nonce).
  assert.deepEqual(protectMessage(nodeCrypto, KEY, HEADER, payload, 0x0102030405060708n), msg);
});

test("protected message: interop, matter.js decodes the packet and decrypts it with its own CCM and nonce", () => {
  const mj = new StandardCrypto();
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 0xffff }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.option(fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }), { nil: undefined }),
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      fc.uint8Array({ maxLength: 40 }),
      (sessionId, messageCounter, sourceNodeId, nonceNode, app) => {
        const header: MessageHeader = {
          sessionId,
          sessionType: SessionType.unicast,
          privacy: false,
          control: false,
          messageCounter,
          ...(sourceNodeId !== undefined ? { sourceNodeId } : {}),
        };
        const payload = encodeProtocolHeader(
          { initiator: false, reliability: false, opcode: 5, exchangeId: 7, protocolId: 1 },
          app,
        );
        const msg = protectMessage(nodeCrypto, KEY, header, payload, nonceNode);
        const packet = MessageCodec.decodePacket(msg);
        const headerBytes = msg.subarray(0, msg.length - packet.applicationPayload.length);
        const nonce = mjNonce(packet.header.securityFlags, packet.header.messageId, nonceNode);
        const plain = new Uint8Array(mj.decrypt(KEY, packet.applicationPayload, nonce, headerBytes) as Uint8Array);
        assert.deepEqual([...plain], [...payload]);
      },
    ),
    { numRuns: 50 },
  );
});

test("protected message: any altered byte, a wrong key or a wrong nonce node id fails with message.auth", () => {
  const payload = encodeProtocolHeader({
    initiator: true,
    reliability: false,
    opcode: 1,
    exchangeId: 1,
    protocolId: 0,
  });
  const msg = protectMessage(nodeCrypto, KEY, HEADER, payload, 5n);
  for (let i = 0; i < msg.length; i++) {
    const bad = msg.slice();
    bad[i] = bad[i]! ^ 0x01;
    let d: ReturnType<typeof decodeMessageHeader>;
    try {
      d = decodeMessageHeader(bad);
    } catch (e) {
      assert.ok(e instanceof MalformedError); // a flipped header flag bit may already be malformed
      continue;
    }
    assert.throws(
      () => unprotectMessage(nodeCrypto, KEY, d, 5n),
      // A flipped DSIZ/S bit moves the header end: the MIC check or the MIC length check catches it.
      (e) => e instanceof MalformedError && (e.code === "message.auth" || e.code === "message.mic"),
      `byte ${i}`,
    );
  }
  const d = decodeMessageHeader(msg);
  const otherKey = KEY.slice();
  otherKey[0] = otherKey[0]! ^ 0x80;
  assert.throws(
    () => unprotectMessage(nodeCrypto, otherKey, d, 5n),
    (e) => e instanceof MalformedError,
  );
  assert.throws(
    () => unprotectMessage(nodeCrypto, KEY, d, 6n),
    (e) => e instanceof MalformedError,
  );
});

test("protected message: payload shorter than the MIC and the P flag are malformed; P on send is refused", () => {
  const short = decodeMessageHeader(fromHex(`0088770044332211${"00".repeat(MIC_BYTES - 1)}`));
  assert.throws(
    () => unprotectMessage(nodeCrypto, KEY, short, 0n),
    (e) => e instanceof MalformedError && e.code === "message.mic" && e.offset === 8,
  );
  const priv = decodeMessageHeader(fromHex(`0088778044332211${"00".repeat(MIC_BYTES + 4)}`));
  assert.throws(
    () => unprotectMessage(nodeCrypto, KEY, priv, 0n),
    (e) => e instanceof MalformedError && e.code === "message.privacy-unsupported",
  );
  assert.throws(() => protectMessage(nodeCrypto, KEY, { ...HEADER, privacy: true }, new Uint8Array(6), 0n), RangeError);
  assert.throws(() => protectMessage(nodeCrypto, new Uint8Array(15), HEADER, new Uint8Array(6), 0n), RangeError);
});
