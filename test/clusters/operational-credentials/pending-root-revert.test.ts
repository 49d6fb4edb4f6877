// A pending root dropped by the fail-safe (expiry or ArmFailSafe(0)) before AddNOC bound it: TrustedRootCertificates
// loses it, so the cluster's data version changes and the attribute is reported (conformance §1.8 step 8, §2 step 3;
// TC_OPCREDS_3_1 step 34).
import assert from "node:assert/strict";
import { test } from "node:test";
import { CommissioningError } from "../../../src/clusters/general-commissioning/general-commissioning.ts";
import { OperationalCredentialsCluster } from "../../../src/clusters/operational-credentials/operational-credentials-options.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import type { AttributeChange } from "../../../src/im/data-model.ts";
import { statusOf, TestCommissioner, TestNode } from "../../support/test-commissioner.ts";
import { readRoots } from "./helpers.ts";

const Attr = OperationalCredentialsCluster.attributes;

for (const how of ["expiry", "ArmFailSafe(0)"] as const) {
  test(`reverting a pending root by ${how} changes TrustedRootCertificates' data version and reports it`, async () => {
    const node = await TestNode.create();
    const th = new TestCommissioner(node, { fabricId: 0x70n, nodeId: 0x170n });
    const pase = node.openPase();
    assert.equal(await node.armFailSafe(pase, 60), CommissioningError.OK);
    assert.equal(statusOf(await th.addTrustedRoot(pase)), ImStatus.SUCCESS);
    assert.equal(readRoots(node, pase).length, 1);
    const reports: AttributeChange[] = [];
    node.opcredsInstance.onAttributeChange((c) => reports.push(c));
    const before = node.opcredsInstance.dataVersion;
    if (how === "expiry") await node.advance(61_000);
    else assert.equal(await node.armFailSafe(pase, 0), CommissioningError.OK);
    assert.equal(readRoots(node, pase).length, 0);
    assert.notEqual(node.opcredsInstance.dataVersion, before);
    assert.ok(
      reports.some((c) => c.attribute === Attr.TrustedRootCertificates),
      `reported: ${reports.map((c) => c.attribute).join(",")}`,
    );
  });
}
