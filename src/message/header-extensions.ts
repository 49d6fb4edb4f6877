/**
 * The extension blocks of the message header (MX flag, Core spec 4.4.1.8 Message Extensions) and of the protocol
 * header (SX flag, 4.4.3.7 Secured Extensions): one form, a 16-bit little-endian length and that many bytes, kept but
 * not interpreted (this spec version defines no extension).
 */
import type { ByteReader } from "../bytes/byte-reader.ts";
import type { ByteWriter } from "../bytes/byte-writer.ts";

/** The longest block: its length field is a uint16. */
const MAX_EXTENSIONS_BYTES = 0xffff;

/** The bytes `extensions` take on the wire (0 when absent); a block too long for its length field is a RangeError. */
export function extensionsSize(name: string, extensions: Uint8Array | undefined): number {
  if (extensions === undefined) return 0;
  if (extensions.length > MAX_EXTENSIONS_BYTES) throw new RangeError(`${name} longer than 65535 bytes`);
  return 2 + extensions.length;
}

/** Writes `extensions` (sized by extensionsSize first), or nothing when absent. */
export function writeExtensions(w: ByteWriter, extensions: Uint8Array | undefined): void {
  if (extensions === undefined) return;
  w.u16le(extensions.length);
  w.bytes(extensions);
}

/** Reads a block at `path`; an overrun is `bytes.overrun` at `${path}/length` or `path`. */
export function readExtensions(r: ByteReader, path: string): Uint8Array {
  const length = r.u16le(`${path}/length`);
  return r.take(length, path);
}
