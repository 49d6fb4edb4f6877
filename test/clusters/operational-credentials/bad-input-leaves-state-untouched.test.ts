// Audit of issue 3, test bullet 4: "Bad input: malformed TLV, oversized certificates, wrong-length nonces, IPKs and
// labels, unknown fabric indices, each gets its documented status and leaves the state untouched". Each bad request is
// sent on its own to a node with two committed fabrics and an armed fail-safe holding a pending root and key; after each
// one the whole persisted store, the fabric table as reads show it (pending state and keys included), the ACL, the
// group keys, the fail-safe and the cluster's data version must be exactly as before. Statuses: conformance doc §1.
import assert from "node:assert/strict";
import { test } from "node:test";
import { toHex } from "../../../src/bytes/bytes.ts";
import { NodeOperationalCertStatus as S } from "../../../src/clusters/operational-credentials/node-operational-cert-status.ts";
import { OperationalCredentialsCluster } from "../../../src/clusters/operational-credentials/operational-credentials-options.ts";
import type { FabricIndex } from "../../../src/fabric/fabric-index.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import type { InvokeOutcome } from "../../../src/im/invoke.ts";
import type { TlvNode } from "../../../src/tlv/tlv-node.ts";
import { nocResponseOf, TestCommissioner, TestNode } from "../../support/test-commissioner.ts";
import { b, bool, str, struct, u } from "./helpers.ts";

const Cmd = OperationalCredentialsCluster.commands;

/** Everything a bad request must not change, as comparable JSON. */
async function snapshot(node: TestNode): Promise<string> {
  const stored: Record<string, string> = {};
  for (const key of await node.storage.keys("")) {
    const v = await node.storage.get(key);
    stored[key] = v instanceof Uint8Array ? `bytes:${toHex(v)}` : JSON.stringify(v);
  }
  const fabrics = node.fabrics.fabrics().map((f) => ({
    ...f,
    operationalKey: toHex(f.operationalKey.toScalar()),
    keySets: node.groupKeys.keySets(f.fabricIndex),
  }));
  const fs = node.failSafe;
  return JSON.stringify(
    {
      stored,
      fabrics,
      committed: node.fabrics.committedIndices(),
      pending: node.transaction.pendingState(),
      pendingKey:
        node.transaction.pendingOperationalKey === undefined
          ? null
          : toHex(node.transaction.pendingOperationalKey.toScalar()),
      roots: node.fabrics.trustedRoots().map(toHex),
      next: node.fabrics.nextFabricIndex,
      acl: node.acl.entries(),
      failSafe: [
        fs.armed,
        fs.fabricIndex,
        fs.deadlineMs,
        fs.nocInvoked,
        fs.addTrustedRootInvoked,
        fs.csrRequestForUpdateNoc,
      ],
      dataVersion: node.opcredsInstance.dataVersion,
    },
    (_k, v) => (typeof v === "bigint" ? `${v}n` : v instanceof Uint8Array ? toHex(v) : v),
  );
}

type Expected = { readonly status: number } | { readonly noc: number };

test("every bad input gets its documented status and leaves store, table, pending state, ACL, keys and fail-safe untouched", async () => {
  const node = await TestNode.create();
  const th1 = new TestCommissioner(node, { fabricId: 0x1n, withIcac: true });
  const th2 = new TestCommissioner(node, { fabricId: 0x2n });
  const cs1 = await th1.commission();
  await th2.commission();
  const cs2 = th2.openCase();
  assert.equal(nocResponseOf(await node.invoke(cs2, Cmd.UpdateFabricLabel, struct(str(0, "two")))).statusCode, S.OK);
  // Fabric 1 adds a third fabric: fail-safe armed, CSR done, root pending (the state bad requests must not disturb).
  const th3 = new TestCommissioner(node, { fabricId: 0x3n });
  assert.equal(await node.armFailSafe(cs1, 600), 0);
  const { csr } = await th3.csrRequest(cs1);
  assert.ok(csr);
  assert.equal((await th3.addTrustedRoot(cs1)).kind, "status");
  const good = th3.issue(csr);
  const goodAddNoc = (over: Partial<Record<0 | 1 | 2 | 3 | 4, TlvNode | null>>): TlvNode => {
    const fields: Record<number, TlvNode | null> = {
      0: b(0, good.noc),
      1: good.icac === null ? null : b(1, good.icac),
      2: b(2, th3.ipk),
      3: u(3, th3.nodeId),
      4: u(4, 0xfff1),
      ...over,
    };
    return struct(...Object.values(fields).filter((f): f is TlvNode => f !== null));
  };
  const unknown = 9 as FabricIndex;
  assert.equal(node.fabrics.fabric(unknown), undefined);

  const cases: [string, number, TlvNode | undefined, Expected][] = [
    // Malformed or mistyped command fields.
    ["AddNOC without fields", Cmd.AddNOC, undefined, { status: ImStatus.INVALID_COMMAND }],
    ["AddNOC NOCValue as uint", Cmd.AddNOC, goodAddNoc({ 0: u(0, 1) }), { status: ImStatus.INVALID_COMMAND }],
    ["AddNOC without CaseAdminSubject", Cmd.AddNOC, goodAddNoc({ 3: null }), { status: ImStatus.INVALID_COMMAND }],
    [
      "AddNOC AdminVendorId > 0xFFFF",
      Cmd.AddNOC,
      goodAddNoc({ 4: u(4, 0x1_0000) }),
      { status: ImStatus.INVALID_COMMAND },
    ],
    [
      "CSRRequest nonce as a string",
      Cmd.CSRRequest,
      struct(str(0, "x".repeat(32))),
      { status: ImStatus.INVALID_COMMAND },
    ],
    ["UpdateFabricLabel label as bytes", Cmd.UpdateFabricLabel, struct(b(0, 4)), { status: ImStatus.INVALID_COMMAND }],
    ["RemoveFabric index as a string", Cmd.RemoveFabric, struct(str(0, "1")), { status: ImStatus.INVALID_COMMAND }],
    [
      "AddTrustedRoot: TLV that is no certificate (a root is already pending: §1.8 step 3 before validation)",
      Cmd.AddTrustedRootCertificate,
      struct(b(0, new Uint8Array([0x15, 0x18]))),
      { status: ImStatus.CONSTRAINT_ERROR },
    ],
    [
      "AddTrustedRoot: truncated TLV (a root is already pending)",
      Cmd.AddTrustedRootCertificate,
      struct(b(0, new Uint8Array([0x15, 0x30, 0x01]))),
      { status: ImStatus.CONSTRAINT_ERROR },
    ],
    // Oversized certificates (> 400 bytes).
    ["AddNOC NOCValue 401 B", Cmd.AddNOC, goodAddNoc({ 0: b(0, 401) }), { status: ImStatus.INVALID_COMMAND }],
    ["AddNOC ICACValue 401 B", Cmd.AddNOC, goodAddNoc({ 1: b(1, 401) }), { status: ImStatus.INVALID_COMMAND }],
    ["UpdateNOC NOCValue 401 B", Cmd.UpdateNOC, struct(b(0, 401)), { status: ImStatus.INVALID_COMMAND }],
    [
      "UpdateNOC ICACValue 401 B",
      Cmd.UpdateNOC,
      struct(b(0, good.noc), b(1, 401)),
      { status: ImStatus.INVALID_COMMAND },
    ],
    ["AddTrustedRoot 401 B", Cmd.AddTrustedRootCertificate, struct(b(0, 401)), { status: ImStatus.INVALID_COMMAND }],
    [
      "SetVIDVerificationStatement VVSC 401 B",
      Cmd.SetVIDVerificationStatement,
      struct(b(2, 401)),
      { status: ImStatus.CONSTRAINT_ERROR },
    ],
    // Wrong-length nonces and challenges.
    ["AttestationRequest nonce 31 B", Cmd.AttestationRequest, struct(b(0, 31)), { status: ImStatus.INVALID_COMMAND }],
    ["AttestationRequest nonce 33 B", Cmd.AttestationRequest, struct(b(0, 33)), { status: ImStatus.INVALID_COMMAND }],
    ["CSRRequest nonce 31 B", Cmd.CSRRequest, struct(b(0, 31), bool(1, false)), { status: ImStatus.INVALID_COMMAND }],
    ["CSRRequest nonce 33 B", Cmd.CSRRequest, struct(b(0, 33), bool(1, false)), { status: ImStatus.INVALID_COMMAND }],
    [
      "SignVIDVerificationRequest challenge 31 B",
      Cmd.SignVIDVerificationRequest,
      struct(u(0, 1), b(1, 31)),
      { status: ImStatus.CONSTRAINT_ERROR },
    ],
    [
      "SignVIDVerificationRequest challenge 33 B",
      Cmd.SignVIDVerificationRequest,
      struct(u(0, 1), b(1, 33)),
      { status: ImStatus.CONSTRAINT_ERROR },
    ],
    // Wrong-length IPKs.
    ["AddNOC IPK 15 B", Cmd.AddNOC, goodAddNoc({ 2: b(2, 15) }), { status: ImStatus.INVALID_COMMAND }],
    ["AddNOC IPK 17 B", Cmd.AddNOC, goodAddNoc({ 2: b(2, 17) }), { status: ImStatus.INVALID_COMMAND }],
    ["AddNOC IPK empty", Cmd.AddNOC, goodAddNoc({ 2: b(2, 0) }), { status: ImStatus.INVALID_COMMAND }],
    // Labels: more than 32 bytes (counted in UTF-8 bytes, not characters), or another fabric's label.
    [
      "UpdateFabricLabel 33 ASCII bytes",
      Cmd.UpdateFabricLabel,
      struct(str(0, "x".repeat(33))),
      { status: ImStatus.INVALID_COMMAND },
    ],
    [
      "UpdateFabricLabel 11 chars = 33 UTF-8 bytes",
      Cmd.UpdateFabricLabel,
      struct(str(0, "€".repeat(11))),
      { status: ImStatus.INVALID_COMMAND },
    ],
    [
      "UpdateFabricLabel of another fabric's label",
      Cmd.UpdateFabricLabel,
      struct(str(0, "two")),
      { noc: S.LabelConflict },
    ],
    // Unknown fabric indices.
    ["RemoveFabric(0)", Cmd.RemoveFabric, struct(u(0, 0)), { status: ImStatus.INVALID_COMMAND }],
    ["RemoveFabric(255)", Cmd.RemoveFabric, struct(u(0, 255)), { status: ImStatus.INVALID_COMMAND }],
    ["RemoveFabric(unknown 9)", Cmd.RemoveFabric, struct(u(0, unknown)), { noc: S.InvalidFabricIndex }],
    [
      "SignVIDVerificationRequest(0)",
      Cmd.SignVIDVerificationRequest,
      struct(u(0, 0), b(1, 32)),
      { status: ImStatus.CONSTRAINT_ERROR },
    ],
    [
      "SignVIDVerificationRequest(unknown 9)",
      Cmd.SignVIDVerificationRequest,
      struct(u(0, unknown), b(1, 32)),
      { status: ImStatus.CONSTRAINT_ERROR },
    ],
    [
      "SignVIDVerificationRequest(255)",
      Cmd.SignVIDVerificationRequest,
      struct(u(0, 255), b(1, 32)),
      { status: ImStatus.CONSTRAINT_ERROR },
    ],
    // Other out-of-range values.
    [
      "CertificateChainRequest type 3",
      Cmd.CertificateChainRequest,
      struct(u(0, 3)),
      { status: ImStatus.INVALID_COMMAND },
    ],
    [
      "SetVIDVerificationStatement VVS 86 B",
      Cmd.SetVIDVerificationStatement,
      struct(b(1, 86)),
      { status: ImStatus.CONSTRAINT_ERROR },
    ],
    [
      "SetVIDVerificationStatement VendorID 0xFFF5",
      Cmd.SetVIDVerificationStatement,
      struct(u(0, 0xfff5)),
      { status: ImStatus.CONSTRAINT_ERROR },
    ],
    [
      "SetVIDVerificationStatement with no field",
      Cmd.SetVIDVerificationStatement,
      struct(),
      { status: ImStatus.INVALID_COMMAND },
    ],
  ];

  const check = async (name: string, command: number, fields: TlvNode | undefined, expected: Expected) => {
    const before = await snapshot(node);
    const out: InvokeOutcome = await node.invoke(cs1, command, fields);
    if ("status" in expected) {
      assert.equal(out.kind, "status", `${name}: expected a status, got a response`);
      assert.equal(out.kind === "status" ? out.status : -1, expected.status, `${name}: status`);
    } else {
      const r = nocResponseOf(out);
      assert.equal(r.statusCode, expected.noc, `${name}: NOCResponse status`);
      assert.equal(r.fabricIndex, undefined, `${name}: no FabricIndex unless OK`);
    }
    assert.equal(await snapshot(node), before, `${name}: state changed`);
  };
  for (const [name, command, fields, expected] of cases) await check(name, command, fields, expected);

  // The pending state survived all of it: the right AddNOC still completes the third fabric.
  const added = nocResponseOf(await th3.addNoc(cs1, good));
  assert.equal(added.statusCode, S.OK);
  assert.equal(added.fabricIndex, 3);

  // In a fresh fail-safe (no root pending) malformed roots reach validation: INVALID_COMMAND, nothing changes.
  await node.advance(601_000); // the fail-safe now belongs to fabric 3; let it expire (fabric 3 is reverted)
  assert.equal(node.fabrics.fabricCount(), 2);
  assert.equal(await node.armFailSafe(cs1, 600), 0);
  for (const bytes of [new Uint8Array([0x15, 0x18]), new Uint8Array([0x15, 0x30, 0x01]), new Uint8Array(0)]) {
    const root = struct(b(0, bytes));
    await check(`AddTrustedRoot ${toHex(bytes)}`, Cmd.AddTrustedRootCertificate, root, {
      status: ImStatus.INVALID_COMMAND,
    });
  }
});
