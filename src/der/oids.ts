/**
 * Object identifiers used by Matter certificates (Matter Core spec §6.5.6 DN attributes, §6.2.2 VID/PID),
 * X.509 (RFC 5280), PKCS#10 (RFC 2986), PKCS#9 (RFC 2985) and CMS (RFC 5652), as dotted decimal strings.
 */

/** Named OIDs; values are dotted decimal strings as `DerReader.oid` returns them. */
export const OID = {
  // Algorithms (RFC 5480, RFC 5758, FIPS 180-4)
  ecPublicKey: "1.2.840.10045.2.1",
  prime256v1: "1.2.840.10045.3.1.7",
  ecdsaWithSHA256: "1.2.840.10045.4.3.2",
  sha256: "2.16.840.1.101.3.4.2.1",

  // X.520 distinguished-name attributes
  commonName: "2.5.4.3",
  surname: "2.5.4.4",
  serialNumber: "2.5.4.5",
  countryName: "2.5.4.6",
  localityName: "2.5.4.7",
  stateOrProvinceName: "2.5.4.8",
  organizationName: "2.5.4.10",
  organizationalUnitName: "2.5.4.11",
  title: "2.5.4.12",
  name: "2.5.4.41",
  givenName: "2.5.4.42",
  initials: "2.5.4.43",
  generationQualifier: "2.5.4.44",
  dnQualifier: "2.5.4.46",
  pseudonym: "2.5.4.65",
  domainComponent: "0.9.2342.19200300.100.1.25",

  // Matter operational DN attributes (Matter Core §6.5.6.1)
  matterNodeId: "1.3.6.1.4.1.37244.1.1",
  matterFirmwareSigningId: "1.3.6.1.4.1.37244.1.2",
  matterIcacId: "1.3.6.1.4.1.37244.1.3",
  matterRcacId: "1.3.6.1.4.1.37244.1.4",
  matterFabricId: "1.3.6.1.4.1.37244.1.5",
  matterNocCat: "1.3.6.1.4.1.37244.1.6",

  // Matter device attestation DN attributes (Matter Core §6.2.2.2)
  matterVendorId: "1.3.6.1.4.1.37244.2.1",
  matterProductId: "1.3.6.1.4.1.37244.2.2",

  // X.509 v3 extensions (RFC 5280 §4.2)
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  cRLDistributionPoints: "2.5.29.31",
  certificatePolicies: "2.5.29.32",
  authorityKeyIdentifier: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
  authorityInfoAccess: "1.3.6.1.5.5.7.1.1",

  // Extended key usage purposes (RFC 5280 §4.2.1.12)
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
  codeSigning: "1.3.6.1.5.5.7.3.3",
  emailProtection: "1.3.6.1.5.5.7.3.4",
  timeStamping: "1.3.6.1.5.5.7.3.8",
  ocspSigning: "1.3.6.1.5.5.7.3.9",

  // CMS / PKCS#7 content types (RFC 5652 §4, §5)
  data: "1.2.840.113549.1.7.1",
  signedData: "1.2.840.113549.1.7.2",

  // PKCS#9 attributes (RFC 2985) used in PKCS#10 requests and CMS signed attributes
  emailAddress: "1.2.840.113549.1.9.1",
  contentType: "1.2.840.113549.1.9.3",
  messageDigest: "1.2.840.113549.1.9.4",
  signingTime: "1.2.840.113549.1.9.5",
  challengePassword: "1.2.840.113549.1.9.7",
  extensionRequest: "1.2.840.113549.1.9.14",
} as const;

/** The name of one entry of `OID`. */
export type OidName = keyof typeof OID;

const byValue = new Map<string, OidName>(Object.entries(OID).map(([k, v]) => [v, k as OidName]));

/** The `OID` name of a dotted OID, or undefined when it is not a named one. */
export function oidName(dotted: string): OidName | undefined {
  return byValue.get(dotted);
}
