/**
 * Fuzz targets of the codec layers: Matter TLV, DER, Matter and X.509 certificates (and the conversions between
 * them), attestation certificates, CSR, CMS, the Certification Declaration, NOCSR and Attestation Elements, the PASE
 * verifier, stored records and the mDNS message codec. Seeds are the test vectors plus freshly generated credentials.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkAttestationCertFormat } from "../../src/cert/attestation-cert.ts";
import { decodeAttestationElements, encodeAttestationElements } from "../../src/cert/attestation-elements.ts";
import { DEV_ATTESTATION_DIR, openDevAttestationProvider } from "../../src/cert/attestation-provider.ts";
import { decodeCertificationDeclaration } from "../../src/cert/certification-declaration.ts";
import { parseCmsSignedData } from "../../src/cert/cms.ts";
import { buildCsr, parseCsr } from "../../src/cert/csr.ts";
import { decodeMatterCert } from "../../src/cert/matter-cert-decode.ts";
import { derToMatterCert } from "../../src/cert/matter-cert-from-x509.ts";
import { matterCertToDer } from "../../src/cert/matter-cert-to-x509.ts";
import { decodeNocsrElements, encodeNocsrElements } from "../../src/cert/nocsr-elements.ts";
import { parseX509 } from "../../src/cert/x509.ts";
import { NodeCrypto } from "../../src/crypto/node-crypto.ts";
import { DerReader, DerTag, decodeOidContent } from "../../src/der/der-reader.ts";
import {
  DnsRecordType,
  decodeDnsMessage,
  encodeDnsMessage,
  encodeDnsQuery,
  txtEntries,
} from "../../src/node/mdns/dns-message.ts";
import { decodePaseVerifier, encodePaseVerifier } from "../../src/sc/pase/pase-verifier.ts";
import { decodeStoredRecord, encodeStoredRecord } from "../../src/storage/storage.ts";
import { decodeTlv } from "../../src/tlv/tlv-decoder.ts";
import { FuzzRandom } from "./fuzz-random.ts";
import type { FuzzTarget } from "./fuzz-target.ts";
import { hexBytes, hexStringsIn, pemBodies, REPO, vectorTexts } from "./fuzz-target.ts";

/** Walks any DER: every element, recursing into constructed ones, with the typed reader of each universal type. */
function walkDer(bytes: Uint8Array, depth = 0): void {
  if (depth > 32) return;
  const r = new DerReader(bytes);
  while (!r.done) {
    const tlv = r.readTlv("der");
    const one = () => new DerReader(tlv.raw);
    if ((tlv.tag & 0x20) !== 0) walkDer(tlv.content, depth + 1);
    else if (tlv.tag === DerTag.integer) one().integer("der/integer");
    else if (tlv.tag === DerTag.oid) decodeOidContent(tlv.content, "der/oid", tlv.offset);
    else if (tlv.tag === DerTag.bitString) one().bitString("der/bitString");
    else if (tlv.tag === DerTag.boolean) one().boolean("der/boolean");
    else if (tlv.tag === DerTag.printableString) one().printableString("der/printableString");
    else if (tlv.tag === DerTag.utcTime || tlv.tag === DerTag.generalizedTime) one().time("der/time");
  }
}

/** The codec targets; generates development attestation credentials from `seed` in a temporary directory (keys and
 * fields are fixed by the seed; ECDSA signatures still vary, as node:crypto randomizes them). */
export async function codecTargets(seed: number): Promise<FuzzTarget[]> {
  const rng = FuzzRandom.derive(seed, "codec-seeds");
  const nodeCrypto = new NodeCrypto((n) => rng.bytes(n));
  const opcertTlv = vectorTexts("opcerts", ".matter-tlv.hex").map(hexBytes);
  opcertTlv.push(...vectorTexts("opcerts-errors", ".matter-tlv.hex").map(hexBytes));
  const opcertDer = vectorTexts("opcerts", ".x509.der.hex").map(hexBytes);
  const pem = (dir: string, names: readonly string[]) =>
    names.flatMap((n) => pemBodies(readFileSync(join(dir, n), "utf8"), "CERTIFICATE"));
  const paas = pem(DEV_ATTESTATION_DIR, [
    "Chip-Development-PAA-Cert.pem",
    "Chip-Test-PAA-FFF1-Cert.pem",
    "Chip-Test-PAA-FFF2-Cert.pem",
    "Chip-Test-PAA-NoVID-Cert.pem",
    "Chip-Test-CD-Signing-Cert.pem",
  ]);
  const dir = mkdtempSync(join(tmpdir(), "opcreds-fuzz-"));
  let provider: Awaited<ReturnType<typeof openDevAttestationProvider>>;
  try {
    provider = await openDevAttestationProvider(nodeCrypto, dir, { notBefore: new Date(Date.UTC(2026, 0, 1)) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const cdJson = JSON.parse(
    readFileSync(join(REPO, "test", "vectors", "attestation", "certification-declaration.json"), "utf8"),
  ) as { cases: { cdContent: string; cms: string }[] };
  const cdContents = cdJson.cases.map((c) => hexBytes(c.cdContent));
  const cmsVectors = cdJson.cases.map((c) => hexBytes(c.cms));
  const revocationDer = vectorTexts("revocation", ".json")
    .flatMap((t) => hexStringsIn(JSON.parse(t) as unknown, 64))
    .filter((b) => b[0] === 0x30);
  const x509s = [...opcertDer, ...paas, provider.dac, provider.pai, ...revocationDer];
  const csrs = [
    hexBytes(readFileSync(join(REPO, "test", "vectors", "attestation", "openssl-p256-csr.der.hex"), "utf8")),
    buildCsr(nodeCrypto, nodeCrypto.generateKeyPair()),
  ];
  const cmss = [provider.cd, ...cmsVectors];
  const nonce = nodeCrypto.randomBytes(32);
  const nocsr = [
    encodeNocsrElements({ csr: csrs[1] as Uint8Array, csrNonce: nonce }),
    encodeNocsrElements({ csr: csrs[0] as Uint8Array, csrNonce: nonce, vendorReserved1: Uint8Array.of(1, 2) }),
  ];
  const attestationElements = [
    encodeAttestationElements({
      certificationDeclaration: provider.cd,
      attestationNonce: nonce,
      timestamp: 0,
      vendorReserved: [],
    }),
    encodeAttestationElements({
      certificationDeclaration: cmsVectors[0] as Uint8Array,
      attestationNonce: nonce,
      timestamp: 0x12345678,
      firmwareInformation: Uint8Array.of(9, 9),
      vendorReserved: [{ vendorId: 0xfff1, profileNum: 3, tagNumber: 1, value: Uint8Array.of(7) }],
    }),
  ];
  const dns = [
    encodeDnsQuery([{ name: "_matterc._udp.local", type: DnsRecordType.PTR, unicastResponse: true }], 7),
    encodeDnsMessage(
      {
        isResponse: true,
        authoritative: true,
        answers: [
          {
            name: "_matterc._udp.local",
            ttl: 120,
            cacheFlush: false,
            type: DnsRecordType.PTR,
            target: "ABCD._matterc._udp.local",
          },
          {
            name: "ABCD._matterc._udp.local",
            ttl: 120,
            cacheFlush: true,
            type: DnsRecordType.SRV,
            priority: 0,
            weight: 0,
            port: 5540,
            target: "host.local",
          },
          {
            name: "ABCD._matterc._udp.local",
            ttl: 4500,
            cacheFlush: true,
            type: DnsRecordType.TXT,
            entries: txtEntries([
              ["D", "3840"],
              ["CM", "1"],
            ]),
          },
        ],
        additionals: [
          { name: "host.local", ttl: 120, cacheFlush: true, type: DnsRecordType.A, address: "10.0.0.1" },
          { name: "host.local", ttl: 120, cacheFlush: true, type: DnsRecordType.AAAA, address: "fe80::1" },
        ],
      },
      { compress: true },
    ),
  ];
  const verifier = encodePaseVerifier({
    w0: nodeCrypto.randomBytes(32),
    L: Uint8Array.of(4, ...nodeCrypto.randomBytes(64)),
  });
  const stored = [encodeStoredRecord({ a: [1, "x", null, { b: true }] }), encodeStoredRecord(Uint8Array.of(1, 2, 3))];
  const allDer = [...x509s, ...csrs, ...cmss];
  const allTlv = [...opcertTlv, ...cdContents, ...nocsr, ...attestationElements];
  return [
    { name: "tlv/decode", decode: (b) => decodeTlv(b), seeds: allTlv },
    { name: "der/walk", decode: (b) => walkDer(b), seeds: allDer },
    { name: "cert/matter-cert", decode: decodeMatterCert, seeds: opcertTlv },
    { name: "cert/matter-cert-to-x509", decode: (b) => matterCertToDer(b), seeds: opcertTlv },
    { name: "cert/x509", decode: (b) => parseX509(b), seeds: x509s },
    { name: "cert/x509-to-matter-cert", decode: derToMatterCert, seeds: opcertDer },
    { name: "cert/attestation-cert-dac", decode: (b) => checkAttestationCertFormat(b, "dac"), seeds: x509s },
    { name: "cert/attestation-cert-pai", decode: (b) => checkAttestationCertFormat(b, "pai"), seeds: x509s },
    { name: "cert/attestation-cert-paa", decode: (b) => checkAttestationCertFormat(b, "paa"), seeds: x509s },
    { name: "cert/csr", decode: parseCsr, seeds: csrs },
    { name: "cert/cms", decode: parseCmsSignedData, seeds: cmss },
    { name: "cert/certification-declaration", decode: decodeCertificationDeclaration, seeds: cdContents },
    { name: "cert/nocsr-elements", decode: decodeNocsrElements, seeds: nocsr },
    { name: "cert/attestation-elements", decode: decodeAttestationElements, seeds: attestationElements },
    { name: "sc/pase-verifier", decode: (b) => decodePaseVerifier(b), seeds: [verifier] },
    { name: "storage/record-json", decode: (b) => decodeStoredRecord("k", 1, b), seeds: stored.map((s) => s.payload) },
    { name: "node/mdns/dns-message", decode: decodeDnsMessage, seeds: dns },
  ];
}
