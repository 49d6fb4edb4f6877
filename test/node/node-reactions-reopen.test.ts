// The node reopens its basic commissioning window whenever it is left without a fabric and without a window (Core 5.5),
// including when an Administrator's window times out after the last fabric went, but not after the window closed on
// the limit of failed attempts: the commissionee then leaves commissioning mode until it restarts.
import assert from "node:assert/strict";
import { mock, test } from "node:test";
import type { FabricLifecycleEvent } from "../../src/fabric/fabric-table.ts";
import type { FailSafeTimer } from "../../src/node/fail-safe-timer.ts";
import type { NodeContext } from "../../src/node/node-context.ts";
import type { NodeNetwork } from "../../src/node/node-network.ts";
import { NodeReactions } from "../../src/node/node-reactions.ts";
import type { RootNodeComposition } from "../../src/node/root-node-composition.ts";
import type { SessionManager } from "../../src/sc/session-manager.ts";

function setUp(o: { fabrics: number; outOfAttempts: boolean }) {
  const timedOut: (() => void)[] = [];
  const lifecycle: ((event: FabricLifecycleEvent) => void)[] = [];
  const openBasic = mock.fn(async (_seconds: number | undefined) => {});
  const window = {
    open: undefined,
    outOfAttempts: o.outOfAttempts,
    onTimedOut: (l: () => void) => void timedOut.push(l),
    openBasic,
  };
  const core = {
    fabrics: {
      fabrics: () => Array.from({ length: o.fabrics }),
      onOperationalIdentityChange: () => {},
      onLifecycle: (l: (event: FabricLifecycleEvent) => void) => void lifecycle.push(l),
    },
    failSafe: { armed: false },
  };
  new NodeReactions(
    { report: () => () => {} } as unknown as NodeContext,
    core as unknown as RootNodeComposition,
    { onSessionEnded: () => () => {} } as unknown as SessionManager,
    { window, advertiser: undefined } as unknown as NodeNetwork,
    { onExpired: () => {} } as unknown as FailSafeTimer,
  );
  const timeout = () => {
    for (const l of timedOut) l();
  };
  /** RemoveFabric removed the node's last fabric. */
  const lastFabricRemoved = async () => {
    for (const l of lifecycle) l({ kind: "removed", fabricIndex: 1 } as FabricLifecycleEvent);
    await new Promise<void>((r) => queueMicrotask(r));
  };
  return { openBasic, timeout, lastFabricRemoved };
}

test("an Administrator's window timing out on a node without fabrics gives way to the basic window", () => {
  const t = setUp({ fabrics: 0, outOfAttempts: false });
  t.timeout();
  assert.equal(t.openBasic.mock.callCount(), 1);
  assert.deepEqual(t.openBasic.mock.calls[0]!.arguments, [undefined], "the basic window has no timeout");
});

test("a node with a fabric opens no window when one times out", () => {
  const t = setUp({ fabrics: 1, outOfAttempts: false });
  t.timeout();
  assert.equal(t.openBasic.mock.callCount(), 0);
});

test("after the limit of failed attempts the node stays out of commissioning mode", () => {
  const t = setUp({ fabrics: 0, outOfAttempts: true });
  t.timeout();
  assert.equal(t.openBasic.mock.callCount(), 0);
});

test("removing the last fabric lifts the lockout: the node is commissionable again", async () => {
  const t = setUp({ fabrics: 0, outOfAttempts: true });
  await t.lastFabricRemoved();
  assert.equal(t.openBasic.mock.callCount(), 1);
});
