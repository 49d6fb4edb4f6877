// Test-side builder: rebuilds the vector chains with modified fields and re-signs them with the vector keys
// (test/vectors/opcerts/*.key.pem), so each validation rule can be broken on its own.

import type { MatterCert, MatterCertFields } from "../../src/cert/matter-cert.ts";
import { decodeMatterCert } from "../../src/cert/matter-cert-decode.ts";
import { encodeMatterCert } from "../../src/cert/matter-cert-encode.ts";
import { tbsDer } from "../../src/cert/matter-cert-to-x509.ts";
import { nodeCrypto } from "../../src/crypto/node-crypto.ts";
import { P256PrivateKey } from "../../src/crypto/p256.ts";
import { keyPemOf, tlvOf } from "./vectors.ts";

/** Mutable copy of certificate fields. */
export type Fields = { -readonly [K in keyof MatterCertFields]: MatterCertFields[K] };
/** A modification applied after the chain links (issuer DN) were set. */
export type Mod = (f: Fields) => void;

const keyCache = new Map<string, P256PrivateKey>();
/** The private key of a vector certificate. */
export function vectorKey(name: string): P256PrivateKey {
  let k = keyCache.get(name);
  if (k === undefined) {
    k = P256PrivateKey.fromPem(keyPemOf(name));
    keyCache.set(name, k);
  }
  return k;
}

function fieldsOf(name: string): Fields {
  const c = decodeMatterCert(tlvOf(name));
  return {
    serialNumber: c.serialNumber,
    issuer: c.issuer,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    subject: c.subject,
    publicKey: c.publicKey,
    extensions: c.extensions,
    signature: c.signature,
  };
}

/** Signs `f` with `key` and returns the TLV bytes (or, with `corrupt`, the same with a flipped signature bit). */
export function sign(f: Fields, key: P256PrivateKey, corrupt = false): Uint8Array {
  const signature = nodeCrypto.ecdsaSign(key, tbsDer({ ...f }));
  if (corrupt) signature[10]! ^= 0x01;
  return encodeMatterCert({ ...f, signature });
}

/** Signs `f` without going through the decoder (for fields the decoder itself rejects), as a MatterCert object. */
export function signUnchecked(f: Fields, key: P256PrivateKey, base: MatterCert): MatterCert {
  const signature = nodeCrypto.ecdsaSign(key, tbsDer({ ...f }));
  return { ...base, ...f, signature };
}

/** Removes the extension of `type`. */
export function dropExtension(f: Fields, type: string): void {
  f.extensions = f.extensions.filter((e) => e.type !== type);
}

/** Replaces the extension of `type` (appending when absent). */
export function setExtension(f: Fields, ext: Fields["extensions"][number]): void {
  const i = f.extensions.findIndex((e) => e.type === ext.type);
  const next = [...f.extensions];
  if (i >= 0) next[i] = ext;
  else next.push(ext);
  f.extensions = next;
}

export type ChainMods = {
  rcac?: Mod;
  icac?: Mod;
  noc?: Mod;
  corrupt?: "rcac" | "icac" | "noc";
};

/** A re-signed chain RootNN -> ICANN -> NodeNN_01 (`set` 1 or 2) with modifications; links follow the modified DNs. */
export function chain(set: 1 | 2, mods: ChainMods = {}): { rcac: Uint8Array; icac: Uint8Array; noc: Uint8Array } {
  const rootName = `Root0${set}`;
  const icaName = `ICA0${set}`;
  const r = fieldsOf(rootName);
  mods.rcac?.(r);
  const rcac = sign(r, vectorKey(rootName), mods.corrupt === "rcac");
  const i = fieldsOf(icaName);
  i.issuer = r.subject;
  mods.icac?.(i);
  const icac = sign(i, vectorKey(rootName), mods.corrupt === "icac");
  const n = fieldsOf(`Node0${set}_01`);
  n.issuer = i.subject;
  mods.noc?.(n);
  const noc = sign(n, vectorKey(icaName), mods.corrupt === "noc");
  return { rcac, icac, noc };
}

/** The unmodified fields of a vector, for hand-built cases. */
export function vectorFields(name: string): Fields {
  return fieldsOf(name);
}
