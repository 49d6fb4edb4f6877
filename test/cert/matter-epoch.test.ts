// Matter epoch time -> X.509 Time: the direct DER writer agrees with the Date-based conversion everywhere.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { toHex } from "../../src/bytes/bytes.ts";
import { MAX_MATTER_EPOCH_S, matterTimeToDer, matterTimeToX509 } from "../../src/cert/matter-epoch.ts";
import { derGeneralizedTime, derUtcTime } from "../../src/der/der-writer.ts";

function viaDate(seconds: number): string {
  const t = matterTimeToX509(seconds);
  return toHex(t.form === "utc" ? derUtcTime(t.date) : derGeneralizedTime(t.date));
}

test("matterTimeToDer equals the Date-based X.509 time for every Matter time, including 0 and the 2050 switch", () => {
  const switchTo2050 = Date.UTC(2050, 0, 1) / 1000 - 946_684_800;
  for (const s of [0, 1, switchTo2050 - 1, switchTo2050, MAX_MATTER_EPOCH_S]) {
    assert.equal(toHex(matterTimeToDer(s)), viaDate(s), `seconds ${s}`);
  }
  assert.equal(Buffer.from(matterTimeToDer(0).subarray(2)).toString(), "99991231235959Z");
  assert.equal(matterTimeToDer(switchTo2050 - 1)[0], 0x17);
  assert.equal(matterTimeToDer(switchTo2050)[0], 0x18);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: MAX_MATTER_EPOCH_S }), (s) => {
      assert.equal(toHex(matterTimeToDer(s)), viaDate(s));
    }),
    { numRuns: 2000 },
  );
  assert.throws(() => matterTimeToDer(-1), RangeError);
  assert.throws(() => matterTimeToDer(MAX_MATTER_EPOCH_S + 1), RangeError);
  assert.throws(() => matterTimeToDer(0.5), RangeError);
});
