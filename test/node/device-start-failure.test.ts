// A device start that fails after its UDP socket is bound releases everything it opened, and rejects with the failing
// step's error: the port can be bound again, the data directory's lock and storage are free for a second start, and the
// process exits by itself (no socket, mDNS responder or timer left). Each case runs in a private network namespace.
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { test } from "node:test";
import { runInPrivateNetnsAsync } from "../support/netns-child.ts";

type Outcome = {
  port: number;
  rejected: { name: string; message: string } | undefined;
  portFree: boolean;
  again: { port?: number; error?: string };
  errors: string[];
};

const CHILD = resolve(import.meta.dirname, "device-start-failure-netns.ts");
/** Bounds a child that does not exit by itself (it would hold a socket or a timer). */
const CHILD_TIMEOUT_MS = 60_000;

const cases = [
  {
    step: "advertiser",
    what: "the mDNS advertiser fails to open",
    error: { name: "RangeError", message: /interfaces/ },
  },
  {
    step: "endpoint",
    what: "an application endpoint's stored state is unreadable",
    error: { name: "MalformedError", message: /unknown record kind/ },
  },
  {
    step: "repair",
    what: "the start-up repair cannot read its record",
    error: { name: "MalformedError", message: /unknown record kind/ },
  },
] as const;

for (const { step, what, error } of cases) {
  test(`a start that fails because ${what} rejects with that error and releases the port, the data directory and the process`, {
    timeout: CHILD_TIMEOUT_MS + 30_000,
  }, async () => {
    const r = await runInPrivateNetnsAsync<Outcome>(CHILD, { args: [step], timeoutMs: CHILD_TIMEOUT_MS });
    assert.ok(r.rejected, "the start rejects");
    assert.equal(r.rejected.name, error.name, r.rejected.message);
    assert.match(r.rejected.message, error.message);
    assert.equal(r.portFree, true, "the failed start's UDP port can be bound again");
    assert.deepEqual(r.again, { port: r.port }, "a second start on the same data directory and port starts");
    assert.deepEqual(r.errors, [], "every close of the failed start and of the stop succeeded");
  });
}
