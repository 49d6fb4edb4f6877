/**
 * Device attestation revocation set (Core spec §6.2.4, "Determining Revocation Status of an Entity"): the JSON file the
 * reference SDK's TestDACRevocationDelegateImpl reads (connectedhomeip credentials/generate-revocation-set.py output,
 * test sets in credentials/test/revoked-attestation-certificates/revocation-sets/):
 *
 * ```
 * [ { "type": "revocation_set",
 *     "issuer_subject_key_id": "<20-byte key id, hex>",
 *     "issuer_name": "<DER Name of the CRL issuer, base64>",
 *     "revoked_serial_numbers": ["<serial, hex>", ...],
 *     "crl_signer_cert": "<DER certificate, base64>",
 *     "crl_signer_delegator": "<DER certificate, base64>"   -- optional (indirect CRL)
 * }, ... ]
 * ```
 *
 * A DAC or PAI is revoked when an entry names its issuer (issuer Name bytes and AKID) and lists its serial number.
 * Deliberate deviations from the SDK, which skips what it cannot use: parsing is strict (unknown or mistyped fields,
 * bad hex/base64, a CRL signer that is not an X.509 certificate are MalformedError), and an entry whose CRL signer (or
 * delegator, when present) does not carry the entry's issuer name and key id is refused at load time instead of
 * silently making every lookup on that issuer answer "not revoked". Hex is accepted in either case; serial numbers
 * compare by value (a leading 0x00 octet of a DER INTEGER does not matter).
 */
import { readFile } from "node:fs/promises";
import { bytesEqual, bytesToBigint, fromBase64, fromHex } from "../bytes/bytes.ts";
import { MalformedError } from "../bytes/errors.ts";
import { DerReader, DerTag } from "../der/der-reader.ts";
import { OID } from "../der/oids.ts";
import { findExtension, MAX_X509_SERIAL_BYTES, parseX509, type X509Certificate } from "./x509.ts";

/** Length of issuer_subject_key_id, in bytes. */
const REVOCATION_KEY_ID_BYTES = 20;
/** The only entry type defined. */
const REVOCATION_SET_TYPE = "revocation_set";

/** One decoded revocation_set entry. */
export type RevocationSetEntry = {
  readonly issuerSubjectKeyId: Uint8Array;
  /** The DER Name (SEQUENCE) of the issuer of the revoked certificates. */
  readonly issuerName: Uint8Array;
  /** Serial numbers as unsigned values. */
  readonly revokedSerialNumbers: readonly bigint[];
  readonly crlSignerCert: X509Certificate;
  readonly crlSignerDelegator?: X509Certificate;
};

const FIELDS = new Set([
  "type",
  "issuer_subject_key_id",
  "issuer_name",
  "revoked_serial_numbers",
  "crl_signer_cert",
  "crl_signer_delegator",
]);

function bad(message: string, path: string, options?: ErrorOptions): never {
  throw new MalformedError("revocation-set.schema", message, { path }, options);
}

function str(obj: Record<string, unknown>, key: string, path: string): string {
  const v = obj[key];
  if (typeof v !== "string") bad(`${key} is ${v === undefined ? "missing" : "not a string"}`, `${path}/${key}`);
  return v;
}

function hexField(text: string, path: string): Uint8Array {
  // fromHex tolerates whitespace and 0x; a revocation set carries neither.
  if (!/^(?:[0-9A-Fa-f]{2})+$/.test(text)) bad(`"${text.slice(0, 48)}" is not hex`, path);
  return fromHex(text);
}

function base64Field(text: string, path: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(text);
  } catch (cause) {
    return bad("not base64", path, { cause });
  }
  if (bytes.length === 0) bad("empty", path);
  return bytes;
}

function certField(text: string, path: string): X509Certificate {
  const der = base64Field(text, path);
  try {
    return parseX509(der, path);
  } catch (cause) {
    if (cause instanceof MalformedError) bad(`not an X.509 certificate (${cause.message})`, path, { cause });
    throw cause;
  }
}

/** The keyIdentifier [0] of a certificate's authorityKeyIdentifier, or undefined when it has none. */
function authorityKeyId(cert: X509Certificate): Uint8Array | undefined {
  const ext = findExtension(cert, OID.authorityKeyIdentifier);
  if (ext === undefined) return undefined;
  const seq = new DerReader(ext.value).sequence("authorityKeyIdentifier");
  return seq.peekTag() === 0x80 ? seq.implicitPrimitive(0, "authorityKeyIdentifier/keyIdentifier") : undefined;
}

/** The subjectKeyIdentifier of a certificate, or undefined when it has none. */
function subjectKeyId(cert: X509Certificate): Uint8Array | undefined {
  const ext = findExtension(cert, OID.subjectKeyIdentifier);
  if (ext === undefined) return undefined;
  const r = new DerReader(ext.value);
  const id = r.octetString("subjectKeyIdentifier");
  r.expectEnd("subjectKeyIdentifier");
  return id;
}

function parseEntry(value: unknown, path: string): RevocationSetEntry {
  if (typeof value !== "object" || value === null || Array.isArray(value)) bad("entry is not an object", path);
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) if (!FIELDS.has(key)) bad(`unknown field "${key}"`, `${path}/${key}`);
  const type = str(obj, "type", path);
  if (type !== REVOCATION_SET_TYPE) bad(`type "${type}" is not "${REVOCATION_SET_TYPE}"`, `${path}/type`);

  const issuerSubjectKeyId = hexField(str(obj, "issuer_subject_key_id", path), `${path}/issuer_subject_key_id`);
  if (issuerSubjectKeyId.length !== REVOCATION_KEY_ID_BYTES) {
    bad(`issuer_subject_key_id is not ${REVOCATION_KEY_ID_BYTES} bytes`, `${path}/issuer_subject_key_id`);
  }

  const namePath = `${path}/issuer_name`;
  const issuerName = base64Field(str(obj, "issuer_name", path), namePath);
  try {
    const r = new DerReader(issuerName);
    r.expect(DerTag.sequence, namePath, "Name");
    r.expectEnd(namePath);
  } catch (cause) {
    if (cause instanceof MalformedError) bad("issuer_name is not a DER Name", namePath, { cause });
    throw cause;
  }

  const serials = obj.revoked_serial_numbers;
  if (!Array.isArray(serials)) bad("revoked_serial_numbers is not an array", `${path}/revoked_serial_numbers`);
  const revokedSerialNumbers = serials.map((s: unknown, i: number) => {
    const at = `${path}/revoked_serial_numbers/${i}`;
    if (typeof s !== "string") bad("serial number is not a string", at);
    const bytes = hexField(s, at);
    // RFC 5280 §4.1.2.2: at most 20 octets (one more for the sign octet of a DER INTEGER).
    if (bytes.length > MAX_X509_SERIAL_BYTES + 1) bad(`serial number is ${bytes.length} bytes`, at);
    return bytesToBigint(bytes);
  });

  const crlSignerCert = certField(str(obj, "crl_signer_cert", path), `${path}/crl_signer_cert`);
  const crlSignerDelegator =
    obj.crl_signer_delegator === undefined
      ? undefined
      : certField(str(obj, "crl_signer_delegator", path), `${path}/crl_signer_delegator`);

  // The SDK's CrossValidateCert: the delegator (indirect CRL) or else the CRL signer is the issuer named by the entry.
  const issuer = crlSignerDelegator ?? crlSignerCert;
  const which = crlSignerDelegator === undefined ? "crl_signer_cert" : "crl_signer_delegator";
  const issuerSkid = subjectKeyId(issuer);
  if (issuerSkid === undefined || !bytesEqual(issuerSkid, issuerSubjectKeyId)) {
    throw new MalformedError("revocation-set.crl-signer", `${which} SKID is not issuer_subject_key_id`, {
      path: `${path}/${which}`,
    });
  }
  if (!bytesEqual(issuer.subjectRaw, issuerName)) {
    throw new MalformedError("revocation-set.crl-signer", `${which} subject is not issuer_name`, {
      path: `${path}/${which}`,
    });
  }
  return {
    issuerSubjectKeyId,
    issuerName,
    revokedSerialNumbers,
    crlSignerCert,
    ...(crlSignerDelegator !== undefined ? { crlSignerDelegator } : {}),
  };
}

/** A parsed revocation set: answers whether a DAC or PAI has been revoked by its issuer. */
export class RevocationSet {
  /** The entries, in file order. */
  readonly entries: readonly RevocationSetEntry[];
  /** Where the set came from (a file name), for messages. */
  readonly source: string;

  /** Wraps already-decoded entries; use `parseRevocationSet` or `loadRevocationSet` for files. */
  constructor(entries: readonly RevocationSetEntry[], source = "revocation set") {
    this.entries = entries;
    this.source = source;
  }

  /**
   * True when an entry's issuer name and key id are the certificate's issuer Name and AKID and the entry lists its
   * serial number (TestDACRevocationDelegateImpl::IsCertificateRevoked). A certificate without an AKID is never found.
   */
  isRevoked(cert: Uint8Array | X509Certificate): boolean {
    const x = cert instanceof Uint8Array ? parseX509(cert, "certificate") : cert;
    const akid = authorityKeyId(x);
    if (akid === undefined) return false;
    const serial = bytesToBigint(x.serial);
    return this.entries.some(
      (e) =>
        bytesEqual(e.issuerName, x.issuerRaw) &&
        bytesEqual(e.issuerSubjectKeyId, akid) &&
        e.revokedSerialNumbers.includes(serial),
    );
  }
}

/** Parses revocation set JSON text strictly; `source` names the file in errors. Anything malformed is a MalformedError. */
export function parseRevocationSet(text: string, source = "revocation set"): RevocationSet {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new MalformedError(
      "revocation-set.json",
      `not JSON (${(cause as Error).message})`,
      { path: source },
      { cause },
    );
  }
  if (!Array.isArray(json)) bad("top level is not an array", source);
  return new RevocationSet(
    json.map((e: unknown, i: number) => parseEntry(e, `${source}[${i}]`)),
    source,
  );
}

/** Reads and parses the revocation set file at `path`. */
export async function loadRevocationSet(path: string): Promise<RevocationSet> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? "error";
    throw new MalformedError("revocation-set.file", `cannot read the file (${code})`, { path }, { cause });
  }
  return parseRevocationSet(text, path);
}
