/**
 * P-256 key formats of chip-cert's convert-key (src/tools/chip-cert/KeyUtils.cpp): SEC1/RFC 5915 PEM, DER and DER
 * hex, SPKI public key PEM, and the SDK's serialized key pair (P256SerializedKeypair: 65-byte uncompressed public
 * key || 32-byte private scalar) raw, hex and base64, and the bare public key raw, hex and base64. PKCS#8 is read
 * and, as an extension, written. chip-cert has no Matter TLV key encoding; neither has this tool.
 */
import { bytesEqual, concatBytes, fromBase64, fromHex, toBase64, toHex } from "../../bytes/bytes.ts";
import { MalformedError } from "../../bytes/errors.ts";
import { P256_PRIVATE_KEY_BYTES, P256_PUBLIC_KEY_BYTES, P256PrivateKey, P256PublicKey } from "../../crypto/p256.ts";
import { type CliInput, excerpt } from "../cli-io.ts";
import { asText, isBase64Text, isHexText, parsePem, pemLabel, toPem } from "./text-input.ts";

/** Length of the SDK's serialized key pair: public point || private scalar. */
const SERIALIZED_KEYPAIR_BYTES = P256_PUBLIC_KEY_BYTES + P256_PRIVATE_KEY_BYTES;

/** Every key output format, by chip-cert name. */
export const KeyFormat = {
  x509Pem: "x509-pem",
  x509Der: "x509-der",
  x509Hex: "x509-hex",
  x509PubkeyPem: "x509-pubkey-pem",
  pkcs8Pem: "pkcs8-pem",
  pkcs8Der: "pkcs8-der",
  chip: "chip",
  chipB64: "chip-b64",
  chipHex: "chip-hex",
  chipPubkey: "chip-pubkey",
  chipPubkeyB64: "chip-pubkey-b64",
  chipPubkeyHex: "chip-pubkey-hex",
} as const;
/** A value of KeyFormat. */
export type KeyFormat = (typeof KeyFormat)[keyof typeof KeyFormat];

const PUBLIC_FORMATS: ReadonlySet<KeyFormat> = new Set([
  KeyFormat.x509PubkeyPem,
  KeyFormat.chipPubkey,
  KeyFormat.chipPubkeyB64,
  KeyFormat.chipPubkeyHex,
]);

/** True when `format` carries only the public key. */
export function isPublicKeyFormat(format: KeyFormat): boolean {
  return PUBLIC_FORMATS.has(format);
}

/** A key read from an input: a private key (which includes its public key) or a public key only. */
export type CliKey =
  | { readonly kind: "private"; readonly key: P256PrivateKey; readonly format: KeyFormat }
  | { readonly kind: "public"; readonly key: P256PublicKey; readonly format: KeyFormat };

/** Detects the format of a key input and imports it; anything unrecognised or invalid is a MalformedError. */
export function readKey(input: CliInput): CliKey {
  const what = input.label;
  const text = asText(input.bytes);
  if (text === undefined) return readBinaryKey(input.bytes, what, false);
  const label = pemLabel(text);
  if (label !== undefined) {
    if (label === "EC PRIVATE KEY" || label === "PRIVATE KEY") {
      const der = parsePem(text, label, what);
      return { kind: "private", key: P256PrivateKey.fromDer(der), format: KeyFormat.x509Pem };
    }
    if (label === "PUBLIC KEY") {
      const der = parsePem(text, label, what);
      return { kind: "public", key: P256PublicKey.fromSpkiDer(der), format: KeyFormat.x509PubkeyPem };
    }
    throw new MalformedError("cli.key-format", `${what}: PEM block "${label}" is not a key`);
  }
  const trimmed = text.trim();
  if (isHexText(trimmed)) return readBinaryKey(fromHex(trimmed), what, true);
  if (isBase64Text(trimmed)) {
    const bytes = fromBase64(trimmed);
    if (bytes.length === SERIALIZED_KEYPAIR_BYTES && bytes[0] === 0x04) {
      return { kind: "private", key: deserializeKeypair(bytes, what), format: KeyFormat.chipB64 };
    }
    if (bytes.length === P256_PUBLIC_KEY_BYTES && bytes[0] === 0x04) {
      return { kind: "public", key: P256PublicKey.fromRaw(bytes), format: KeyFormat.chipPubkeyB64 };
    }
  }
  throw unrecognised(input);
}

function unrecognised(input: CliInput): MalformedError {
  const detail = input.inline
    ? `"${excerpt(input)}" is neither a readable file nor an inline key`
    : "not a P-256 key in any known format";
  return new MalformedError(
    "cli.key-format",
    `${input.label}: ${detail} (PEM, SEC1/PKCS#8 DER or hex, serialized key pair or public key raw/hex/base64)`,
  );
}

function readBinaryKey(bytes: Uint8Array, what: string, hex: boolean): CliKey {
  if (bytes.length === SERIALIZED_KEYPAIR_BYTES && bytes[0] === 0x04) {
    return {
      kind: "private",
      key: deserializeKeypair(bytes, what),
      format: hex ? KeyFormat.chipHex : KeyFormat.chip,
    };
  }
  if (bytes.length === P256_PUBLIC_KEY_BYTES && bytes[0] === 0x04) {
    return {
      kind: "public",
      key: P256PublicKey.fromRaw(bytes),
      format: hex ? KeyFormat.chipPubkeyHex : KeyFormat.chipPubkey,
    };
  }
  if (bytes[0] === 0x30) {
    try {
      return {
        kind: "private",
        key: P256PrivateKey.fromDer(bytes),
        format: hex ? KeyFormat.x509Hex : KeyFormat.x509Der,
      };
    } catch {
      try {
        return { kind: "public", key: P256PublicKey.fromSpkiDer(bytes), format: KeyFormat.x509Der };
      } catch {
        throw new MalformedError("cli.key-format", `${what}: DER is neither a P-256 private key nor a public key`);
      }
    }
  }
  throw new MalformedError(
    "cli.key-format",
    `${what}: not a P-256 key in any known format (PEM, SEC1/PKCS#8 DER or hex, serialized key pair or public key raw/hex/base64)`,
  );
}

/** Imports the SDK's serialized key pair, checking that the public key is the one of the scalar. */
function deserializeKeypair(bytes: Uint8Array, what: string): P256PrivateKey {
  if (bytes.length !== SERIALIZED_KEYPAIR_BYTES) {
    throw new MalformedError(
      "cli.key-format",
      `${what}: serialized key pair must be ${SERIALIZED_KEYPAIR_BYTES} bytes`,
    );
  }
  const key = P256PrivateKey.fromScalar(bytes.subarray(P256_PUBLIC_KEY_BYTES));
  if (!bytesEqual(key.publicKey.raw, bytes.subarray(0, P256_PUBLIC_KEY_BYTES))) {
    throw new MalformedError(
      "cli.key-format",
      `${what}: serialized key pair: public key does not match the private key`,
    );
  }
  return key;
}

/** The SDK's serialized key pair: public point || scalar. */
function serializeKeypair(key: P256PrivateKey): Uint8Array {
  return concatBytes(key.publicKey.raw, key.toScalar());
}

/** Encodes `key` in `format`; asking a private format of a public-only key is a MalformedError. */
export function encodeKey(key: CliKey, format: KeyFormat): string | Uint8Array {
  const pub = key.kind === "private" ? key.key.publicKey : key.key;
  switch (format) {
    case KeyFormat.x509PubkeyPem:
      return pub.toPem();
    case KeyFormat.chipPubkey:
      return pub.raw;
    case KeyFormat.chipPubkeyB64:
      return `${toBase64(pub.raw)}\n`;
    case KeyFormat.chipPubkeyHex:
      return `${toHex(pub.raw)}\n`;
  }
  if (key.kind !== "private") {
    throw new MalformedError("cli.key-format", `cannot write ${format}: the input holds only a public key`);
  }
  const priv = key.key;
  switch (format) {
    case KeyFormat.x509Pem:
      return toPem("EC PRIVATE KEY", priv.toSec1Der());
    case KeyFormat.x509Der:
      return priv.toSec1Der();
    case KeyFormat.x509Hex:
      return `${toHex(priv.toSec1Der())}\n`;
    case KeyFormat.pkcs8Pem:
      return toPem("PRIVATE KEY", priv.toPkcs8Der());
    case KeyFormat.pkcs8Der:
      return priv.toPkcs8Der();
    case KeyFormat.chip:
      return serializeKeypair(priv);
    case KeyFormat.chipB64:
      return `${toBase64(serializeKeypair(priv))}\n`;
    case KeyFormat.chipHex:
      return `${toHex(serializeKeypair(priv))}\n`;
  }
}
