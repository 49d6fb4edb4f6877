/**
 * Fuzz targets of every command and attribute struct schema the clusters export (src/clusters/**): request and
 * response fields, fabric-scoped structs. Seeds come from the schemas themselves (schema-seeds.ts) and, for the
 * Operational Credentials commands, from freshly encoded requests carrying real certificates.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AddNocRequest } from "../../src/clusters/operational-credentials/add-noc.ts";
import { AddTrustedRootCertificateRequest } from "../../src/clusters/operational-credentials/add-trusted-root-certificate.ts";
import { UpdateNocRequest } from "../../src/clusters/operational-credentials/update-noc.ts";
import { FuzzRandom } from "./fuzz-random.ts";
import type { FuzzTarget } from "./fuzz-target.ts";
import { hexBytes, REPO } from "./fuzz-target.ts";
import { schemaSeeds } from "./schema-seeds.ts";
import { exportedSchemas } from "./targets-interaction-model.ts";

/** One target per exported cluster schema, named `clusters/<folder>/<file>#<Schema>`. */
export async function commandTargets(seed: number): Promise<FuzzTarget[]> {
  const cert = (name: string) =>
    hexBytes(readFileSync(join(REPO, "test", "vectors", "opcerts", `${name}.matter-tlv.hex`), "utf8"));
  const noc = cert("Node01_02");
  const icac = cert("ICA01");
  const extra = new Map<string, Uint8Array[]>([
    [
      "AddNocRequest",
      [
        AddNocRequest.encode({
          nocValue: noc,
          icacValue: icac,
          ipkValue: new Uint8Array(16),
          caseAdminSubject: 0x1122n,
          adminVendorId: 0xfff1,
        }),
      ],
    ],
    ["UpdateNocRequest", [UpdateNocRequest.encode({ nocValue: noc, icacValue: icac })]],
    [
      "AddTrustedRootCertificateRequest",
      [AddTrustedRootCertificateRequest.encode({ rootCaCertificate: cert("Root01") })],
    ],
  ]);
  return (await exportedSchemas("src/clusters")).map(([name, schema]) => {
    const label = `clusters/${name}`;
    return {
      name: label,
      decode: (b: Uint8Array) => schema.decode(b),
      seeds: [...schemaSeeds(schema, FuzzRandom.derive(seed, label)), ...(extra.get(name.split("#")[1] ?? "") ?? [])],
    };
  });
}
