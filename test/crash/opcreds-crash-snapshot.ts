// The comparable state of the fabric layer for the OpCreds crash test: next index and every committed fabric with the
// fields the loop changes, plus whether each committed fabric has its ACL entry, its IPK and a key matching its NOC.
import { createHash } from "node:crypto";
import { bytesEqual } from "../../src/bytes/bytes.ts";
import { decodeMatterCert } from "../../src/cert/matter-cert-decode.ts";
import type { AccessControlStore } from "../../src/fabric/access-control.ts";
import type { FabricRecord } from "../../src/fabric/fabric-record.ts";
import type { GroupKeyStore } from "../../src/fabric/group-keys.ts";

/** SupportedFabrics of the crash loop: small, so that removal and index wrap-around happen often. */
export const CRASH_SUPPORTED_FABRICS = 5;

const short = (b: Uint8Array) => createHash("sha256").update(b).digest("hex").slice(0, 8);

/** `next:index/node/label/noc,...` for `fabrics` in index order. */
export function snapshot(fabrics: readonly FabricRecord[], nextFabricIndex: number): string {
  const parts = [...fabrics]
    .sort((a, b) => a.fabricIndex - b.fabricIndex)
    .map((f) => `${f.fabricIndex}/${f.nodeId.toString(16)}/${f.label}/${short(f.noc)}`);
  return `${nextFabricIndex}:${parts.join(",")}`;
}

/** Problems of committed fabrics: a missing ACL entry or IPK, or an operational key that is not the NOC's. */
export function integrityProblems(
  fabrics: readonly FabricRecord[],
  acl: AccessControlStore,
  groupKeys: GroupKeyStore,
): string[] {
  const out: string[] = [];
  for (const f of fabrics) {
    if (acl.entries(f.fabricIndex).length !== 1) out.push(`fabric ${f.fabricIndex}: ACL entries missing`);
    if (groupKeys.keySet(f.fabricIndex, 0) === undefined) out.push(`fabric ${f.fabricIndex}: IPK missing`);
    if (!bytesEqual(decodeMatterCert(f.noc).publicKey, f.operationalKey.publicKey.raw))
      out.push(`fabric ${f.fabricIndex}: operational key does not match the NOC`);
  }
  return out;
}
