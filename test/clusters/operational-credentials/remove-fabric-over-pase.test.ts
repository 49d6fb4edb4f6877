// Issue 11 item 4: RemoveFabric over a PASE session, decided by following the SDK (PASE is an implicit administrator of
// the node; the SDK's RemoveFabric has no PASE check): a commissioner holding the window's passcode may remove any
// fabric, the one whose administrator opened the window included. This pins that decision.
import assert from "node:assert/strict";
import { test } from "node:test";
import { NodeOperationalCertStatus as S } from "../../../src/clusters/operational-credentials/node-operational-cert-status.ts";
import { OperationalCredentialsCluster } from "../../../src/clusters/operational-credentials/operational-credentials-options.ts";
import { RemoveFabricRequest } from "../../../src/clusters/operational-credentials/remove-fabric.ts";
import { ANONYMOUS } from "../../../src/tlv/tlv-node.ts";
import { nocResponseOf, TestCommissioner, TestNode } from "../../support/test-commissioner.ts";
import { readFabrics } from "./helpers.ts";

const Cmd = OperationalCredentialsCluster.commands;

test("a PASE session from a reopened window may RemoveFabric the fabric that opened it (SDK: PASE is implicit admin)", async () => {
  const node = await TestNode.create();
  const opener = new TestCommissioner(node, { fabricId: 0xa0n, nodeId: 0x100n, vendorId: 0xfff1 });
  const other = new TestCommissioner(node, { fabricId: 0xb0n, nodeId: 0x200n, vendorId: 0xfff2 });
  const openerCase = await opener.commission();
  await other.commission();
  assert.equal(readFabrics(node, openerCase, false).length, 2);

  // The opener's administrator opened a window; a commissioner with its passcode holds a PASE session (no fabric).
  const pase = node.openPase();
  assert.equal(node.session(pase).fabricIndex, 0);
  const removeOpener = nocResponseOf(
    await node.invoke(
      pase,
      Cmd.RemoveFabric,
      RemoveFabricRequest.encodeNode({ fabricIndex: opener.fabricIndex! }, ANONYMOUS),
    ),
  );
  assert.equal(removeOpener.statusCode, S.OK);
  assert.equal(removeOpener.fabricIndex, opener.fabricIndex);
  assert.equal(node.fabrics.fabric(opener.fabricIndex!), undefined);
  // The opener's sessions end with its fabric; the PASE session itself stays (it belongs to no fabric).
  assert.equal(node.sessions.has(openerCase), false);
  assert.ok(node.sessions.has(pase));
  assert.ok(node.fabricRemovals.includes(opener.fabricIndex!));

  // Any other fabric too: the same implicit administrator.
  const removeOther = nocResponseOf(
    await node.invoke(
      pase,
      Cmd.RemoveFabric,
      RemoveFabricRequest.encodeNode({ fabricIndex: other.fabricIndex! }, ANONYMOUS),
    ),
  );
  assert.equal(removeOther.statusCode, S.OK);
  assert.equal(node.fabrics.committedIndices().length, 0);
});
