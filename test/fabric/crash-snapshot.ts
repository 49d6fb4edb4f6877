// The comparable form of a committed fabric table used by the crash test: the next index and a digest of each stored record.
import { createHash } from "node:crypto";
import type { FabricRecord } from "../../src/fabric/fabric-record.ts";
import { encodeFabricRecord } from "../../src/fabric/fabric-record.ts";

export const CRASH_SUPPORTED_FABRICS = 5;

export function tableSnapshot(fabrics: readonly FabricRecord[], nextFabricIndex: number): string {
  const digest = (f: FabricRecord) =>
    createHash("sha256")
      .update(JSON.stringify(encodeFabricRecord(f)))
      .digest("hex")
      .slice(0, 16);
  return `${nextFabricIndex}:${[...fabrics]
    .sort((a, b) => a.fabricIndex - b.fabricIndex)
    .map((f) => `${f.fabricIndex}=${digest(f)}`)
    .join(",")}`;
}
