// Read helpers shared by the Operational Credentials tests: attributes decoded with the cluster's own schemas.
import assert from "node:assert/strict";
import { FabricDescriptorStruct } from "../../../src/clusters/operational-credentials/fabric-descriptor-struct.ts";
import { NocStruct } from "../../../src/clusters/operational-credentials/noc-struct.ts";
import { OperationalCredentialsAttribute as Attr } from "../../../src/clusters/operational-credentials/operational-credentials-options.ts";
import { tlvArray, tlvBytes, tlvUInt8 } from "../../../src/tlv/tlv-schema.ts";
import type { TestNode } from "../../support/test-commissioner.ts";

function data(node: TestNode, session: number, attribute: number, filtered: boolean) {
  const out = node.read(session, attribute, filtered);
  assert.equal(out.kind, "data", out.kind === "status" ? `read status 0x${out.status.toString(16)}` : "");
  assert.ok(out.kind === "data");
  return out.value;
}

export const readNocs = (node: TestNode, session: number, filtered = true) =>
  tlvArray(NocStruct).decodeNode(data(node, session, Attr.NOCs, filtered), "NOCs");
export const readFabrics = (node: TestNode, session: number, filtered = true) =>
  tlvArray(FabricDescriptorStruct).decodeNode(data(node, session, Attr.Fabrics, filtered), "Fabrics");
export const readRoots = (node: TestNode, session: number) =>
  tlvArray(tlvBytes()).decodeNode(data(node, session, Attr.TrustedRootCertificates, true), "Roots");
export const readCurrentFabricIndex = (node: TestNode, session: number) =>
  tlvUInt8.decodeNode(data(node, session, Attr.CurrentFabricIndex, true), "CurrentFabricIndex");
export const readCommissionedFabrics = (node: TestNode, session: number) =>
  tlvUInt8.decodeNode(data(node, session, Attr.CommissionedFabrics, true), "CommissionedFabrics");
export const readSupportedFabrics = (node: TestNode, session: number) =>
  tlvUInt8.decodeNode(data(node, session, Attr.SupportedFabrics, true), "SupportedFabrics");
