// Two nodes on one fabric (and a rogue CA) for CASE tests: certificates from the project's CA, IPK from GroupKey v1.0.

import { CertificateAuthority } from "../../../src/cert/certificate-authority.ts";
import { compressedFabricId } from "../../../src/cert/compressed-fabric-id.ts";
import type { MatterCert } from "../../../src/cert/matter-cert.ts";
import type { Crypto } from "../../../src/crypto/crypto.ts";
import type { P256PrivateKey } from "../../../src/crypto/p256.ts";
import { fabricIndex } from "../../../src/fabric/fabric-index.ts";
import { operationalGroupKey } from "../../../src/fabric/group-keys.ts";
import type { CaseFabric, CaseFabricView } from "../../../src/sc/case/case-fabric.ts";
import { seededCrypto } from "../pase/seeded-crypto.ts";

export const FABRIC_ID = 0x2906_c908_d115_d362n;
export const DEVICE_NODE_ID = 0xcd55_44aa_7b13_ef14n;
export const CONTROLLER_NODE_ID = 0x0000_0000_0001_b669n;
export const IPK_EPOCH_KEY = new Uint8Array(16).map((_, i) => 0x4a + i);
export const CONTROLLER_CATS = [0x0001_0001, 0x0002_0003];

/** A NOC for `nodeId`, signed by `ca` (through an ICAC when `viaIcac`). */
export async function issueNode(
  crypto: Crypto,
  ca: CertificateAuthority,
  nodeId: bigint,
  options: { viaIcac?: boolean; cats?: number[]; fabricId?: bigint } = {},
): Promise<{ noc: MatterCert; icac: MatterCert | undefined; key: P256PrivateKey }> {
  const key = crypto.generateKeyPair();
  let signer: { cert: MatterCert; key: P256PrivateKey } | undefined;
  if (options.viaIcac === true) {
    const icacKey = crypto.generateKeyPair();
    signer = { cert: await ca.issueIcac({ subjectKey: icacKey.publicKey, icacId: 0x77n }), key: icacKey };
  }
  const noc = await ca.issueNoc(
    { subjectKey: key.publicKey, nodeId, fabricId: options.fabricId ?? FABRIC_ID, cats: options.cats ?? [] },
    signer,
  );
  return { noc, icac: signer?.cert, key };
}

/** A CaseFabric for one node of `ca`'s fabric. */
export function caseFabric(
  crypto: Crypto,
  ca: CertificateAuthority,
  node: { noc: MatterCert; icac: MatterCert | undefined; key: P256PrivateKey },
  nodeId: bigint,
  over: Partial<CaseFabric> = {},
): CaseFabric {
  const rootPublicKey = ca.rcac.publicKey;
  const fabricId = over.fabricId ?? FABRIC_ID;
  return {
    fabricIndex: fabricIndex(1),
    fabricId,
    nodeId,
    rootPublicKey,
    rcac: ca.rcac.raw,
    icac: node.icac?.raw ?? null,
    noc: node.noc.raw,
    operationalKey: node.key,
    ipk: operationalGroupKey(crypto, IPK_EPOCH_KEY, compressedFabricId(crypto, rootPublicKey, fabricId)),
    ...over,
  };
}

/** A view over a fixed list of fabrics. */
export function viewOf(...fabrics: CaseFabric[]): CaseFabricView {
  return { fabrics: () => fabrics };
}

export type World = {
  readonly ca: CertificateAuthority;
  readonly device: CaseFabric;
  readonly controller: CaseFabric;
};

/** A fabric with a device (NOC via ICAC) and a controller (NOC from the root, with CATs). */
export async function makeWorld(seed = "world"): Promise<World> {
  const crypto = seededCrypto(seed);
  const clock = () => new Date(Date.UTC(2025, 0, 1));
  const ca = CertificateAuthority.create(crypto, { clock });
  const deviceNode = await issueNode(crypto, ca, DEVICE_NODE_ID, { viaIcac: true });
  const controllerNode = await issueNode(crypto, ca, CONTROLLER_NODE_ID, { cats: CONTROLLER_CATS });
  return {
    ca,
    device: caseFabric(crypto, ca, deviceNode, DEVICE_NODE_ID),
    controller: caseFabric(crypto, ca, controllerNode, CONTROLLER_NODE_ID),
  };
}
