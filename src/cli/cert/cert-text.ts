/**
 * The readable form of a Matter certificate printed by `opcreds cert print-cert`, laid out like chip-cert's
 * print-cert (Cmd_PrintCert.cpp): DNs as `[[ attr = value ]]`, times as Matter-epoch hex and UTC, fields in hex.
 */

import { toHex } from "../../bytes/bytes.ts";
import { type Dn, isDnMatterIdType, matterAttributeText } from "../../cert/dn.ts";
import { KEY_PURPOSE, keyUsageNames } from "../../cert/extensions.ts";
import type { MatterCert } from "../../cert/matter-cert.ts";
import { matterEpochToDate, NO_WELL_DEFINED_EXPIRATION_S } from "../../cert/matter-epoch.ts";

const KIND_NAME: Record<MatterCert["kind"], string> = {
  rcac: "root CA (RCAC)",
  icac: "intermediate CA (ICAC)",
  noc: "node operational (NOC)",
  "firmware-signing": "firmware signing",
  "network-identity": "network identity",
  unspecified: "unspecified",
  ambiguous: "ambiguous (several subject ids)",
};

const ATTR_NAME: Record<string, string> = {
  matterNodeId: "MatterNodeId",
  matterFirmwareSigningId: "MatterFirmwareSigningId",
  matterIcacId: "MatterICACId",
  matterRcacId: "MatterRCACId",
  matterFabricId: "MatterFabricId",
  matterCaseAuthTag: "MatterCASEAuthTag",
};

const PURPOSE_NAME = new Map<number, string>(Object.entries(KEY_PURPOSE).map(([name, id]) => [id, name]));

/** The print-cert text of `cert` (`tlvBytes` / `derBytes` are the sizes of its two forms). */
export function formatMatterCert(cert: MatterCert, sizes: { tlv: number; der: number }): string {
  const out: string[] = [];
  const field = (indent: number, name: string, value: string) =>
    out.push(`${" ".repeat(indent)}${name.padEnd(17)}: ${value}`);
  out.push("Matter Certificate:");
  field(4, "Type", KIND_NAME[cert.kind]);
  field(4, "Size", `${sizes.tlv} bytes TLV, ${sizes.der} bytes X.509 DER`);
  field(4, "Serial Number", spacedHex(cert.serialNumber));
  field(4, "Signature Algo", "ECDSAWithSHA256");
  field(4, "Issuer", formatDn(cert.issuer, 4 + 17 + 2));
  field(4, "Not Before", formatTime(cert.notBefore));
  field(4, "Not After", formatTime(cert.notAfter));
  field(4, "Subject", formatDn(cert.subject, 4 + 17 + 2));
  if (cert.nodeId !== undefined) field(4, "Node Id", `0x${hex64(cert.nodeId)}`);
  if (cert.fabricId !== undefined) field(4, "Fabric Id", `0x${hex64(cert.fabricId)}`);
  if (cert.cats.length > 0)
    field(4, "CASE Auth Tags", cert.cats.map((c) => `0x${c.toString(16).toUpperCase().padStart(8, "0")}`).join(" "));
  field(4, "Public Key Algo", "ECPublicKey");
  field(4, "Curve Id", "prime256v1");
  field(4, "Public Key", blockHex(cert.publicKey, 4 + 17 + 2));
  out.push("    Extensions:");
  if (cert.basicConstraints !== undefined) {
    field(8, "Is CA", String(cert.basicConstraints.isCa));
    if (cert.basicConstraints.pathLenConstraint !== undefined) {
      field(8, "Path Length Const", String(cert.basicConstraints.pathLenConstraint));
    }
  }
  if (cert.keyUsage !== undefined) field(8, "Key Usage", keyUsageNames(cert.keyUsage).map(capitalise).join(" "));
  if (cert.extendedKeyUsage !== undefined) {
    field(
      8,
      "Key Purpose",
      cert.extendedKeyUsage.map((p) => capitalise(PURPOSE_NAME.get(p) ?? `purpose(${p})`)).join(" "),
    );
  }
  if (cert.subjectKeyId !== undefined) field(8, "Subject Key Id", spacedHex(cert.subjectKeyId));
  if (cert.authorityKeyId !== undefined) field(8, "Authority Key Id", spacedHex(cert.authorityKeyId));
  for (const f of cert.futureExtensions) {
    field(8, "Future Extension", `${f.oid}${f.critical ? " (critical)" : ""}: ${toHex(f.value)}`);
  }
  field(4, "Signature", blockHex(cert.signature, 4 + 17 + 2));
  return `${out.join("\n")}\n`;
}

function capitalise(s: string): string {
  return s.length > 0 ? s[0]!.toUpperCase() + s.slice(1) : s;
}

function hex64(v: bigint): string {
  return v.toString(16).toUpperCase().padStart(16, "0");
}

function formatTime(seconds: number): string {
  const hex = `0x${seconds.toString(16).toUpperCase().padStart(8, "0")}`;
  if (seconds === NO_WELL_DEFINED_EXPIRATION_S) return `${hex}  ( no well-defined expiration )`;
  const d = matterEpochToDate(seconds).toISOString();
  return `${hex}  ( ${d.slice(0, 10).replaceAll("-", "/")} ${d.slice(11, 19)} UTC )`;
}

function formatDn(dn: Dn, indent: number): string {
  const parts = dn.map((a) => {
    const name = ATTR_NAME[a.type] ?? a.type;
    const value =
      a.type === "matterCaseAuthTag" || isDnMatterIdType(a.type)
        ? matterAttributeText(a)
        : `${String(a.value)}${"printable" in a && a.printable ? " (PrintableString)" : ""}`;
    return `${name} = ${value}`;
  });
  return `[[ ${parts.join(`,\n${" ".repeat(indent + 3)}`)} ]]`;
}

function spacedHex(bytes: Uint8Array): string {
  return toHex(bytes)
    .toUpperCase()
    .replace(/(..)(?!$)/g, "$1 ");
}

function blockHex(bytes: Uint8Array, indent: number): string {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) lines.push(spacedHex(bytes.subarray(i, i + 16)));
  return lines.join(`\n${" ".repeat(indent)}`);
}
