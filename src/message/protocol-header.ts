/**
 * The protocol header (Core spec 4.4.3): exchange flags (I, A, R, SX, V), protocol opcode, exchange id, optional
 * protocol vendor id, protocol id, acknowledged message counter and secured extensions; the application payload follows.
 */
import { ByteReader } from "../bytes/byte-reader.ts";
import { ByteWriter } from "../bytes/byte-writer.ts";
import { InternalError, MalformedError } from "../bytes/errors.ts";
import { extensionsSize, readExtensions, writeExtensions } from "./header-extensions.ts";

const FLAG_I = 0x01;
const FLAG_A = 0x02;
const FLAG_R = 0x04;
const FLAG_SX = 0x08;
const FLAG_V = 0x10;
const EXCHANGE_FLAGS_RESERVED = 0xe0;

/** Vendor id of the protocols the Matter spec defines (the "Common" vendor, 0x0000). */
const COMMON_VENDOR_ID = 0x0000;

/** The parsed protocol header. `protocolVendorId` is absent for the standard (common vendor) protocols. */
export interface ProtocolHeader {
  /** I flag: the sender is the exchange initiator. */
  readonly initiator: boolean;
  /** R flag (Reliability): the sender wants this message acknowledged (MRP). */
  readonly reliability: boolean;
  /** A flag: present when the message acknowledges the message with this counter. */
  readonly acknowledgedMessageCounter?: number | undefined;
  readonly opcode: number;
  readonly exchangeId: number;
  /** V flag: the vendor id of a vendor-specific protocol; never 0 (the common vendor is expressed by omission). */
  readonly protocolVendorId?: number | undefined;
  readonly protocolId: number;
  /** SX flag: Secured Extensions payload, kept but not interpreted (4.4.3.7). */
  readonly securedExtensions?: Uint8Array | undefined;
}

/** A decoded message payload: the protocol header and the application payload after it. */
export interface DecodedProtocolHeader {
  readonly header: ProtocolHeader;
  readonly applicationPayload: Uint8Array;
}

function checkUint(value: number, max: number, name: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`${name} out of range: ${value}`);
}

/** The bytes of `header` followed by `applicationPayload` (the plaintext message payload, 4.4). */
export function encodeProtocolHeader(
  header: ProtocolHeader,
  applicationPayload: Uint8Array = new Uint8Array(0),
): Uint8Array {
  checkUint(header.opcode, 0xff, "opcode");
  checkUint(header.exchangeId, 0xffff, "exchangeId");
  checkUint(header.protocolId, 0xffff, "protocolId");
  if (header.protocolVendorId !== undefined) {
    checkUint(header.protocolVendorId, 0xffff, "protocolVendorId");
    if (header.protocolVendorId === COMMON_VENDOR_ID) {
      throw new RangeError("protocolVendorId 0 is expressed by leaving it out");
    }
  }
  if (header.acknowledgedMessageCounter !== undefined) {
    checkUint(header.acknowledgedMessageCounter, 0xffffffff, "acknowledgedMessageCounter");
  }
  const planned =
    6 +
    (header.protocolVendorId !== undefined ? 2 : 0) +
    (header.acknowledgedMessageCounter !== undefined ? 4 : 0) +
    extensionsSize("securedExtensions", header.securedExtensions) +
    applicationPayload.length;
  const w = new ByteWriter(planned);
  w.u8(
    (header.initiator ? FLAG_I : 0) |
      (header.acknowledgedMessageCounter !== undefined ? FLAG_A : 0) |
      (header.reliability ? FLAG_R : 0) |
      (header.securedExtensions !== undefined ? FLAG_SX : 0) |
      (header.protocolVendorId !== undefined ? FLAG_V : 0),
  );
  w.u8(header.opcode);
  w.u16le(header.exchangeId);
  if (header.protocolVendorId !== undefined) w.u16le(header.protocolVendorId);
  w.u16le(header.protocolId);
  if (header.acknowledgedMessageCounter !== undefined) w.u32le(header.acknowledgedMessageCounter);
  writeExtensions(w, header.securedExtensions);
  w.bytes(applicationPayload);
  const out = w.finish();
  if (out.length !== planned) throw new InternalError(`protocol header: wrote ${out.length} bytes, planned ${planned}`);
  return out;
}

/**
 * Parses the protocol header at the start of a decrypted message payload. Strict: reserved exchange flag bits, an
 * explicit vendor id 0 (non-canonical) or an overrun throw MalformedError naming the field and offset.
 */
export function decodeProtocolHeader(payload: Uint8Array): DecodedProtocolHeader {
  const r = new ByteReader(payload);
  const flags = r.u8("protocolHeader/exchangeFlags");
  if ((flags & EXCHANGE_FLAGS_RESERVED) !== 0) {
    throw new MalformedError("message.reserved-bits", "reserved exchange flag bits are set", {
      path: "protocolHeader/exchangeFlags",
      offset: 0,
    });
  }
  const opcode = r.u8("protocolHeader/opcode");
  const exchangeId = r.u16le("protocolHeader/exchangeId");
  let protocolVendorId: number | undefined;
  if ((flags & FLAG_V) !== 0) {
    const at = r.offset;
    protocolVendorId = r.u16le("protocolHeader/protocolVendorId");
    if (protocolVendorId === COMMON_VENDOR_ID) {
      throw new MalformedError("message.vendor-id", "V flag set with the common vendor id 0", {
        path: "protocolHeader/protocolVendorId",
        offset: at,
      });
    }
  }
  const protocolId = r.u16le("protocolHeader/protocolId");
  const acknowledgedMessageCounter =
    (flags & FLAG_A) !== 0 ? r.u32le("protocolHeader/acknowledgedMessageCounter") : undefined;
  const securedExtensions = (flags & FLAG_SX) !== 0 ? readExtensions(r, "protocolHeader/securedExtensions") : undefined;
  const header: ProtocolHeader = {
    initiator: (flags & FLAG_I) !== 0,
    reliability: (flags & FLAG_R) !== 0,
    opcode,
    exchangeId,
    protocolId,
    ...(acknowledgedMessageCounter !== undefined ? { acknowledgedMessageCounter } : {}),
    ...(protocolVendorId !== undefined ? { protocolVendorId } : {}),
    ...(securedExtensions !== undefined ? { securedExtensions } : {}),
  };
  return { header, applicationPayload: payload.subarray(r.offset) };
}
