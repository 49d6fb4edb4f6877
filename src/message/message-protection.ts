/**
 * Message security (Core spec 4.8): AES-128-CCM over the message payload with the message header as AAD and a 16-byte
 * MIC. Privacy obfuscation (4.9, P flag) is not implemented: protecting or opening a message with the P flag is refused.
 */
import { ByteWriter } from "../bytes/byte-writer.ts";
import { MalformedError } from "../bytes/errors.ts";
import type { Crypto } from "../crypto/crypto.ts";
import {
  type DecodedMessageHeader,
  encodeMessageHeader,
  type MessageHeader,
  securityFlagsOf,
} from "./message-header.ts";

/** CHIP_CRYPTO_AEAD_MIC_LENGTH_BYTES: the MIC appended to every secured message (4.8.1). */
export const MIC_BYTES = 16;
/** CHIP_CRYPTO_AEAD_NONCE_LENGTH_BYTES (4.8.1). */
const AEAD_NONCE_BYTES = 13;
/** CHIP_CRYPTO_SYMMETRIC_KEY_LENGTH_BYTES: session encryption keys are AES-128 keys. */
export const SESSION_KEY_BYTES = 16;
/** The Unspecified Node ID: the nonce source node id of PASE sessions (4.8.1.1). */
export const UNSPECIFIED_NODE_ID = 0n;

/**
 * The CCM nonce of 4.8.1.1: Security Flags (1) || Message Counter (4, LE) || Source Node ID (8, LE). For CASE sessions
 * the source node id is the sender's operational node id, for PASE the Unspecified Node ID, for groups the header's.
 */
export function messageNonce(securityFlags: number, messageCounter: number, sourceNodeId: bigint): Uint8Array {
  return new ByteWriter(AEAD_NONCE_BYTES).u8(securityFlags).u32le(messageCounter).u64le(sourceNodeId).finish();
}

function checkKey(key: Uint8Array): void {
  if (key.length !== SESSION_KEY_BYTES) throw new RangeError(`session key must be ${SESSION_KEY_BYTES} bytes`);
}

/**
 * The full secured message: the encoded `header`, then `payload` (protocol header + application payload) encrypted
 * with `key`, then the MIC. `nonceSourceNodeId` is the sender's node id as the nonce rules above define it.
 */
export function protectMessage(
  crypto: Crypto,
  key: Uint8Array,
  header: MessageHeader,
  payload: Uint8Array,
  nonceSourceNodeId: bigint,
): Uint8Array {
  checkKey(key);
  if (header.privacy) throw new RangeError("message privacy (P flag) is not implemented");
  const headerBytes = encodeMessageHeader(header);
  const nonce = messageNonce(securityFlagsOf(header), header.messageCounter, nonceSourceNodeId);
  const sealed = crypto.aesCcmEncrypt(key, nonce, payload, headerBytes, MIC_BYTES);
  const out = new Uint8Array(headerBytes.length + sealed.length);
  out.set(headerBytes, 0);
  out.set(sealed, headerBytes.length);
  return out;
}

/**
 * The plaintext payload of a received secured message. A payload shorter than the MIC, a message with the P flag or
 * a MIC mismatch (wrong key, nonce or any altered byte) throw MalformedError `message.*`.
 */
export function unprotectMessage(
  crypto: Crypto,
  key: Uint8Array,
  message: DecodedMessageHeader,
  nonceSourceNodeId: bigint,
): Uint8Array {
  checkKey(key);
  const { header, headerBytes, payload } = message;
  if (header.privacy) {
    throw new MalformedError("message.privacy-unsupported", "privacy-obfuscated messages are not supported", {
      path: "messageHeader/securityFlags/privacy",
      offset: 3,
    });
  }
  if (payload.length < MIC_BYTES) {
    throw new MalformedError("message.mic", `secured payload of ${payload.length} bytes cannot hold a MIC`, {
      path: "message/mic",
      offset: headerBytes.length,
    });
  }
  const nonce = messageNonce(securityFlagsOf(header), header.messageCounter, nonceSourceNodeId);
  try {
    return crypto.aesCcmDecrypt(key, nonce, payload, headerBytes, MIC_BYTES);
  } catch (e) {
    if (e instanceof MalformedError) {
      throw new MalformedError(
        "message.auth",
        "message integrity check failed",
        { path: "message/mic", offset: headerBytes.length + payload.length - MIC_BYTES },
        { cause: e },
      );
    }
    throw e;
  }
}
