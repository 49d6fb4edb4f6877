/**
 * Certificate benchmarks: Matter TLV -> X.509 DER, DER -> TLV, and validation of the chain Root01 -> ICA01 ->
 * Node01_01, for this library and for matter.js (@matter/protocol 0.17.9) on the same vector bytes.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { StandardCrypto } from "@matter/general";
import { Icac, Noc, Rcac } from "@matter/protocol";
import { fromHex } from "../src/bytes/bytes.ts";
import { derToMatterCert } from "../src/cert/matter-cert-from-x509.ts";
import { matterCertToDer } from "../src/cert/matter-cert-to-x509.ts";
import { validateChain } from "../src/cert/validate.ts";
import { nodeCrypto } from "../src/crypto/node-crypto.ts";

const OPCERTS = join(import.meta.dirname, "..", "test", "vectors", "opcerts");
const vector = (file: string): Uint8Array => fromHex(readFileSync(join(OPCERTS, file), "utf8"));

/** One benchmark: the same operation in this library and in matter.js. */
export type CertBenchmark = {
  readonly name: string;
  readonly iterations: number;
  readonly warmup: number;
  readonly ours: () => unknown;
  readonly matterJs: () => unknown;
  /** What differs between the two sides' work, printed under the table. */
  readonly notes: readonly string[];
};

/** The certificate benchmarks over the SDK vectors. */
export function certBenchmarks(): CertBenchmark[] {
  const nocTlv = vector("Node01_01.matter-tlv.hex");
  const nocDer = vector("Node01_01.x509.der.hex");
  const icacTlv = vector("ICA01.matter-tlv.hex");
  const rcacTlv = vector("Root01.matter-tlv.hex");
  const mjsCrypto = new StandardCrypto();
  return [
    {
      name: "TLV -> DER (Node01_01)",
      iterations: 10000,
      warmup: 1000,
      ours: () => matterCertToDer(nocTlv),
      matterJs: () => Noc.fromTlv(nocTlv).asSignedDer(),
      notes: [
        "both decode the TLV and write the DER; ours also enforces the fixed element order and every field rule (6.5.2).",
      ],
    },
    {
      name: "DER -> TLV (Node01_01)",
      iterations: 10000,
      warmup: 1000,
      ours: () => derToMatterCert(nocDer),
      matterJs: () => Noc.fromAsn1(nocDer).asSignedTlv(),
      notes: [
        "ours does more: it accepts only DER that converts back byte for byte (the signature covers the DER), checked",
        "by a strict parse where every element must be canonical and every conversion one-to-one; matter.js does not.",
      ],
    },
    {
      name: "validate Root01 -> ICA01 -> Node01_01",
      iterations: 1000,
      warmup: 100,
      ours: () => validateChain({ noc: nocTlv, icac: icacTlv, rcac: rcacTlv, crypto: nodeCrypto }),
      matterJs: async () => {
        const rcac = Rcac.fromTlv(rcacTlv);
        const icac = Icac.fromTlv(icacTlv);
        const noc = Noc.fromTlv(nocTlv);
        await rcac.verify(mjsCrypto);
        await icac.verify(mjsCrypto, rcac);
        await noc.verify(mjsCrypto, rcac, icac);
      },
      notes: [
        "both decode three TLV certificates and verify three signatures; ours also checks issuer DN chaining, path",
        "length and the other rules matter.js leaves out. Ours keeps imported public keys in a bounded LRU cache (64),",
        "so after the warm-up the three keys are not re-imported; matter.js imports the key for every verification.",
      ],
    },
  ];
}
