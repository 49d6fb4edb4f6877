// Fixtures shared by the Operational Credentials tests: attribute reads decoded with the cluster's own schemas, TLV
// request builders, and a PASE commissioning driven up to AddNOC.
import assert from "node:assert/strict";
import { csrPublicKey } from "../../../src/cert/csr.ts";
import { CommissioningError } from "../../../src/clusters/general-commissioning/general-commissioning.ts";
import { FabricDescriptorStruct } from "../../../src/clusters/operational-credentials/fabric-descriptor-struct.ts";
import { NocStruct } from "../../../src/clusters/operational-credentials/noc-struct.ts";
import { OperationalCredentialsCluster } from "../../../src/clusters/operational-credentials/operational-credentials-options.ts";
import type { P256PublicKey } from "../../../src/crypto/p256.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import { ANONYMOUS, ctx, type TlvNode } from "../../../src/tlv/tlv-node.ts";
import { tlvArray, tlvBytes, tlvUInt8 } from "../../../src/tlv/tlv-schema.ts";
import { statusOf, type TestCommissioner, type TestNode } from "../../support/test-commissioner.ts";

const Attr = OperationalCredentialsCluster.attributes;

/** An anonymous TLV struct of `elements` (a command's fields). */
export const struct = (...elements: TlvNode[]): TlvNode => ({ tag: ANONYMOUS, type: "struct", elements });
/** An unsigned integer field. */
export const u = (tag: number, v: number | bigint): TlvNode => ({ tag: ctx(tag), type: "uint", value: BigInt(v) });
/** An octet string field: the bytes, or that many 0x15 bytes. */
export const b = (tag: number, v: Uint8Array | number): TlvNode => ({
  tag: ctx(tag),
  type: "bytes",
  value: typeof v === "number" ? new Uint8Array(v).fill(0x15) : v,
});
/** A UTF-8 string field. */
export const str = (tag: number, v: string): TlvNode => ({ tag: ctx(tag), type: "utf8", value: v });
/** A boolean field. */
export const bool = (tag: number, v: boolean): TlvNode => ({ tag: ctx(tag), type: "bool", value: v });

/** A new fabric driven over PASE up to (not including) AddNOC: armed, CSR done, root added. Returns the CSR. */
export async function preparedPase(
  node: TestNode,
  th: TestCommissioner,
  root: Uint8Array = th.ca.rcac.raw,
): Promise<{ pase: number; csr: Uint8Array; key: P256PublicKey }> {
  const pase = node.openPase();
  assert.equal(await node.armFailSafe(pase, 60), CommissioningError.OK);
  const { csr } = await th.csrRequest(pase);
  assert.ok(csr !== undefined);
  assert.equal(statusOf(await th.addTrustedRoot(pase, root)), ImStatus.SUCCESS);
  return { pase, csr, key: csrPublicKey(node.crypto, csr) };
}

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
