// Onboarding payload: the spec example (passcode 20202021, discriminator 3840, VID 0xFFF1, PID 0x8000, BLE), Verhoeff,
// base-38, validity rules, round trips against matter.js's codecs, and robustness of the decoders.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualPairingCodeCodec, QrPairingCodeCodec } from "@matter/types";
import fc from "fast-check";
import { MalformedError } from "../../../src/bytes/errors.ts";
import { base38Decode, base38Encode } from "../../../src/node/onboarding/base38.ts";
import {
  decodeManualPairingCode,
  encodeManualPairingCode,
  formatManualPairingCode,
  shortDiscriminator,
} from "../../../src/node/onboarding/manual-pairing-code.ts";
import { decodeQrCodePayload, encodeQrCodePayload } from "../../../src/node/onboarding/qr-code-payload.ts";
import {
  CommissioningFlow,
  DiscoveryCapability,
  type SetupPayload,
} from "../../../src/node/onboarding/setup-payload.ts";
import { verhoeffCheckDigit, verhoeffValid } from "../../../src/node/onboarding/verhoeff.ts";
import { isValidPasscode } from "../../../src/sc/pase/pase-verifier.ts";

const EXAMPLE: SetupPayload = {
  version: 0,
  vendorId: 0xfff1,
  productId: 0x8000,
  commissioningFlow: CommissioningFlow.Standard,
  discoveryCapabilities: DiscoveryCapability.BLE,
  discriminator: 3840,
  passcode: 20202021,
};

test("spec example QR code: MT:Y.K9042C00KA0648G00", () => {
  assert.equal(encodeQrCodePayload(EXAMPLE), "MT:Y.K9042C00KA0648G00");
  assert.deepEqual(decodeQrCodePayload("MT:Y.K9042C00KA0648G00"), EXAMPLE);
});

test("spec example manual code: 34970112332 (3497-011-2332)", () => {
  const code = encodeManualPairingCode({ discriminator: 3840, passcode: 20202021 });
  assert.equal(code, "34970112332");
  assert.equal(formatManualPairingCode(code), "3497-011-2332");
  assert.deepEqual(decodeManualPairingCode("3497-011-2332"), { shortDiscriminator: 15, passcode: 20202021 });
  assert.equal(shortDiscriminator(3840), 15);
});

test("21-digit manual code for a custom flow carries VID and PID", () => {
  const code = encodeManualPairingCode({
    discriminator: 0x123,
    passcode: 12345679,
    commissioningFlow: CommissioningFlow.Custom,
    vendorId: 0xfff1,
    productId: 0x8000,
  });
  assert.equal(code.length, 21);
  assert.deepEqual(decodeManualPairingCode(code), {
    shortDiscriminator: 1,
    passcode: 12345679,
    vendorId: 0xfff1,
    productId: 0x8000,
  });
  assert.throws(
    () => encodeManualPairingCode({ discriminator: 1, passcode: 12345679, commissioningFlow: 2 }),
    TypeError,
  );
});

test("Verhoeff: known values and every single-digit error is caught", () => {
  assert.equal(verhoeffCheckDigit("236"), 3); // the textbook example 236 -> 2363
  assert.ok(verhoeffValid("2363"));
  const code = "34970112332";
  for (let i = 0; i < code.length; i++)
    for (let d = 0; d <= 9; d++) {
      if (String(d) === code[i]) continue;
      assert.ok(!verhoeffValid(code.slice(0, i) + d + code.slice(i + 1)), `digit ${i} -> ${d} not caught`);
    }
  assert.throws(() => decodeManualPairingCode("34970112333"), MalformedError);
});

test("forbidden passcodes are refused (Core 5.1.1.6)", () => {
  for (const p of [0, 11111111, 12345678, 87654321, 99999999, 100000000]) assert.ok(!isValidPasscode(p), String(p));
  assert.ok(isValidPasscode(20202021));
  assert.throws(() => encodeQrCodePayload({ ...EXAMPLE, passcode: 12345678 }), RangeError);
  assert.throws(() => encodeManualPairingCode({ discriminator: 1, passcode: 11111111 }), RangeError);
  assert.throws(() => encodeQrCodePayload({ ...EXAMPLE, discriminator: 4096 }), RangeError);
});

test("QR decoder rejects a bad prefix, bad characters, a wrong length", () => {
  for (const bad of ["Y.K9042C00KA0648G00", "MT:Y.K9042C00KA0648G0", "MT:Y.K9042C00KA0648G0a", "MT:"])
    assert.throws(() => decodeQrCodePayload(bad), MalformedError, bad);
});

test("base-38 round-trips every length (property)", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
      assert.deepEqual(base38Decode(base38Encode(bytes)), bytes);
    }),
  );
  // Four characters hold 2 bytes; "...." is 38^4 - 1, above 2^16 - 1.
  assert.throws(() => base38Decode("...."), MalformedError);
});

const payloadArb = fc.record({
  version: fc.constant(0),
  vendorId: fc.integer({ min: 0, max: 0xffff }),
  productId: fc.integer({ min: 0, max: 0xffff }),
  commissioningFlow: fc.constantFrom(0, 1, 2) as fc.Arbitrary<CommissioningFlow>,
  discoveryCapabilities: fc.integer({ min: 0, max: 0xff }),
  discriminator: fc.integer({ min: 0, max: 0xfff }),
  passcode: fc.integer({ min: 1, max: 99_999_998 }).filter(isValidPasscode),
});

test("QR and manual codes agree with matter.js QrPairingCodeCodec / ManualPairingCodeCodec (property)", () => {
  fc.assert(
    fc.property(payloadArb, (p) => {
      const ours = encodeQrCodePayload(p);
      const theirs = QrPairingCodeCodec.encode([
        { ...p, flowType: p.commissioningFlow, discoveryCapabilities: p.discoveryCapabilities } as never,
      ]);
      assert.equal(ours, theirs);
      assert.deepEqual(decodeQrCodePayload(ours), { ...p });
      const manual = encodeManualPairingCode({ discriminator: p.discriminator, passcode: p.passcode });
      assert.equal(
        manual,
        ManualPairingCodeCodec.encode({ discriminator: p.discriminator, passcode: p.passcode } as never),
      );
      assert.deepEqual(decodeManualPairingCode(manual), {
        shortDiscriminator: p.discriminator >> 8,
        passcode: p.passcode,
      });
    }),
    { numRuns: 300 },
  );
});

test("decoders on random text: a result or MalformedError, nothing else (property)", () => {
  const alphabet = fc.constantFrom(..."0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-.*: ab");
  fc.assert(
    fc.property(fc.array(alphabet, { maxLength: 30 }), (chars) => {
      const s = chars.join("");
      for (const decode of [() => decodeQrCodePayload(`MT:${s}`), () => decodeManualPairingCode(s)]) {
        try {
          decode();
        } catch (e) {
          if (!(e instanceof MalformedError)) throw e;
        }
      }
    }),
    { numRuns: 3000 },
  );
});
