// Outgoing message counters (4.6.1) and duplicate detection windows (4.6.5).
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { MessageReceptionState, MSG_COUNTER_WINDOW_SIZE } from "../../src/message/duplicate-detection.ts";
import {
  MESSAGE_COUNTER_INIT_MAX,
  MESSAGE_COUNTER_MAX,
  MessageCounter,
  MessageCounterExhaustedError,
  randomInitialCounter,
} from "../../src/message/message-counter.ts";

const fixedRandom = (bytes: number[]) => ({ randomBytes: (n: number) => new Uint8Array(bytes.slice(0, n)) });

test("initial counters lie in [1, 2^28] for every random draw, including the extremes", () => {
  assert.equal(randomInitialCounter(fixedRandom([0, 0, 0, 0])), 1);
  assert.equal(randomInitialCounter(fixedRandom([0xff, 0xff, 0xff, 0x0f])), MESSAGE_COUNTER_INIT_MAX);
  assert.equal(randomInitialCounter(fixedRandom([0xff, 0xff, 0xff, 0xff])), MESSAGE_COUNTER_INIT_MAX);
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (b) => {
      const v = randomInitialCounter({ randomBytes: () => b });
      assert.ok(v >= 1 && v <= MESSAGE_COUNTER_INIT_MAX);
    }),
  );
});

test("counters increment; the unencrypted counter wraps, a secure session counter is exhausted at 2^32-1", () => {
  const c = new MessageCounter("unencrypted", 7);
  assert.equal(c.next(), 7);
  assert.equal(c.next(), 8);
  assert.equal(c.current, 9);
  const u = new MessageCounter("unencrypted", MESSAGE_COUNTER_MAX);
  assert.equal(u.next(), MESSAGE_COUNTER_MAX);
  assert.equal(u.next(), 0);
  const s = new MessageCounter("secure-session", MESSAGE_COUNTER_MAX - 1);
  assert.equal(s.next(), MESSAGE_COUNTER_MAX - 1);
  assert.equal(s.next(), MESSAGE_COUNTER_MAX);
  assert.throws(() => s.next(), MessageCounterExhaustedError);
  assert.throws(
    () => s.next(),
    (e) => e instanceof MessageCounterExhaustedError && e.code === "message.counter-exhausted",
  );
  assert.throws(() => new MessageCounter("unencrypted", -1), RangeError);
  const r = MessageCounter.random("secure-session", fixedRandom([4, 0, 0, 0]));
  assert.equal(r.current, 5);
});

test("secure unicast window: new, duplicate, in-window out of order, behind the window", () => {
  const s = new MessageReceptionState("secure-unicast");
  assert.equal(s.check(0), "duplicate"); // counters start at 1
  assert.equal(s.receive(100), "new");
  assert.equal(s.receive(100), "duplicate");
  assert.equal(s.receive(99), "new");
  assert.equal(s.receive(99), "duplicate");
  assert.equal(s.receive(100 - (MSG_COUNTER_WINDOW_SIZE - 1)), "new"); // oldest counter still in the window
  assert.equal(s.receive(100 - MSG_COUNTER_WINDOW_SIZE), "duplicate"); // just behind the window
  assert.equal(s.receive(105), "new");
  assert.equal(s.maxCounter, 105);
  assert.equal(s.receive(100), "duplicate"); // remembered after the shift
  assert.equal(s.receive(101), "new");
  assert.equal(s.receive(105 + 40), "new"); // a jump past the window clears it
  assert.equal(s.receive(105 + 39), "new");
  assert.equal(s.receive(105), "duplicate"); // now behind
  // secure unicast counters never roll over: 0 after 2^32-1 is behind.
  const t = new MessageReceptionState("secure-unicast");
  assert.equal(t.receive(0xffffffff), "new");
  assert.equal(t.receive(0), "duplicate");
});

test("check does not change the state until commit (a forged message cannot advance the window)", () => {
  const s = new MessageReceptionState("secure-unicast");
  s.receive(10);
  assert.equal(s.check(50), "new");
  assert.equal(s.maxCounter, 10);
  assert.equal(s.check(9), "new");
  s.commit(9);
  assert.equal(s.check(9), "duplicate");
});

test("group window rolls over; behind the window is a duplicate; first message is trusted", () => {
  const g = new MessageReceptionState("group");
  assert.equal(g.receive(0xfffffff0), "new");
  assert.equal(g.receive(3), "new"); // ahead across the rollover
  assert.equal(g.maxCounter, 3);
  assert.equal(g.receive(0xfffffff0), "duplicate");
  assert.equal(g.receive(0xfffffff5), "new"); // in the window across the rollover
  assert.equal(g.receive(0x80000010), "duplicate"); // more than 2^31 ahead is behind, far outside the window
});

test("unencrypted window rolls over and a counter behind the window resets the state (peer restarted)", () => {
  const u = new MessageReceptionState("unencrypted");
  assert.equal(u.receive(1000), "new");
  assert.equal(u.receive(1000), "duplicate");
  assert.equal(u.receive(990), "new");
  assert.equal(u.receive(5), "new");
  assert.equal(u.maxCounter, 5);
  assert.equal(u.receive(5), "duplicate");
  assert.equal(u.receive(1000), "new"); // was forgotten by the reset
});

test("window model: the verdict matches a reference set-based model for secure unicast", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 200 }), (counters) => {
      const s = new MessageReceptionState("secure-unicast");
      const seen = new Set<number>();
      let max = 0;
      for (const c of counters) {
        const expected = seen.has(c) || c <= max - MSG_COUNTER_WINDOW_SIZE ? "duplicate" : "new";
        assert.equal(s.receive(c), expected, `counter ${c} after max ${max}`);
        if (expected === "new") {
          seen.add(c);
          max = Math.max(max, c);
        }
      }
    }),
  );
});
