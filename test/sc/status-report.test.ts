// StatusReport codec: wire bytes, round trip, and robustness.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { fromHex, toHex } from "../../src/bytes/bytes.ts";
import { MalformedError } from "../../src/bytes/errors.ts";
import {
  busyMinimumWaitMs,
  busyStatus,
  CLOSE_SESSION,
  decodeStatusReport,
  encodeStatusReport,
  GeneralCode,
  INVALID_PARAMETER,
  isSecureChannelSuccess,
  SESSION_ESTABLISHMENT_SUCCESS,
  SecureChannelProtocolCode,
} from "../../src/sc/status-report.ts";

test("wire bytes of the common secure channel reports", () => {
  assert.equal(toHex(encodeStatusReport(SESSION_ESTABLISHMENT_SUCCESS)), "0000000000000000");
  assert.equal(toHex(encodeStatusReport(INVALID_PARAMETER)), "0100000000000200");
  // CloseSession as matter.js sends it: general 0, protocol 0, code 3.
  assert.equal(toHex(encodeStatusReport(CLOSE_SESSION)), "0000000000000300");
  // BUSY carries the minimum wait in ms as u16 LE.
  assert.equal(toHex(encodeStatusReport(busyStatus(500))), "080000000000" + "0400" + "f401");
});

test("decode: header fields, vendor-qualified protocol id, optional data", () => {
  const r = decodeStatusReport(fromHex("0100 0100f1ff 0200 aabb"));
  assert.equal(r.generalCode, GeneralCode.FAILURE);
  assert.equal(r.protocolId, 0xfff10001);
  assert.equal(r.protocolCode, 2);
  assert.deepEqual(r.protocolData, fromHex("aabb"));
  const s = decodeStatusReport(fromHex("0000000000000000"));
  assert.equal(s.protocolData, undefined);
  assert.equal(isSecureChannelSuccess(s), true);
  assert.equal(isSecureChannelSuccess(decodeStatusReport(encodeStatusReport(CLOSE_SESSION))), false);
  assert.equal(
    isSecureChannelSuccess(
      decodeStatusReport(encodeStatusReport(CLOSE_SESSION)),
      SecureChannelProtocolCode.CLOSE_SESSION,
    ),
    true,
  );
});

test("BUSY minimum wait round-trips; other reports have none", () => {
  assert.equal(busyMinimumWaitMs(decodeStatusReport(encodeStatusReport(busyStatus(0xabcd)))), 0xabcd);
  assert.equal(busyMinimumWaitMs(INVALID_PARAMETER), undefined);
});

test("a report shorter than 8 bytes is MalformedError bytes.overrun naming the field", () => {
  assert.throws(
    () => decodeStatusReport(fromHex("01000000000002")),
    (e: unknown) => e instanceof MalformedError && e.code === "bytes.overrun" && /protocolCode/.test(e.message),
  );
});

test("round trip: decode(encode(r)) = r", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 0xffff }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.integer({ min: 0, max: 0xffff }),
      fc.option(fc.uint8Array({ minLength: 1, maxLength: 40 }), { nil: undefined }),
      (generalCode, protocolId, protocolCode, protocolData) => {
        const r =
          protocolData === undefined
            ? { generalCode, protocolId, protocolCode }
            : { generalCode, protocolId, protocolCode, protocolData };
        assert.deepEqual(decodeStatusReport(encodeStatusReport(r)), r);
      },
    ),
  );
});

test("robustness: random bytes decode or raise MalformedError", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 20 }), (bytes) => {
      try {
        decodeStatusReport(bytes);
      } catch (e) {
        assert.ok(e instanceof MalformedError, String(e));
      }
    }),
  );
});
