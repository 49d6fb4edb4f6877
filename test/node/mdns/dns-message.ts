// Test support: a minimal DNS message codec (RFC 1035 4.1, name compression 4.1.4; mDNS cache-flush and QU bits,
// RFC 6762 10.2 / 5.4) to query for and read back what the advertiser publishes. Strict: bad bytes throw MalformedError.
import { ByteReader } from "../../../src/bytes/byte-reader.ts";
import { ByteWriter } from "../../../src/bytes/byte-writer.ts";
import { MalformedError } from "../../../src/bytes/errors.ts";

export const RR_TYPE = { A: 1, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, NSEC: 47, ANY: 255 } as const;

export type DnsRecord = {
  readonly name: string;
  readonly type: number;
  readonly cacheFlush: boolean;
  readonly ttl: number;
  /** PTR: the target name; SRV: "port target"; TXT: the strings; A/AAAA: the address; other types: hex. */
  readonly data: string | string[];
};

export type DnsMessage = {
  readonly id: number;
  readonly response: boolean;
  readonly questions: { readonly name: string; readonly type: number }[];
  /** Answers, authority and additional records in wire order. */
  readonly records: DnsRecord[];
};

const MAX_POINTER_HOPS = 32;

function utf8(bytes: Uint8Array, field: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new MalformedError("dns.label-utf8", "invalid UTF-8", { path: field });
  }
}

function encodeName(w: ByteWriter, name: string): void {
  for (const label of name.replace(/\.$/, "").split(".")) {
    const bytes = new TextEncoder().encode(label);
    if (bytes.length === 0 || bytes.length > 63) throw new RangeError(`bad DNS label in ${name}`);
    w.u8(bytes.length).bytes(bytes);
  }
  w.u8(0);
}

/** A query (id 0, as mDNS uses) asking each name for `type`. */
export function encodeQuery(names: readonly string[], type: number = RR_TYPE.PTR): Uint8Array {
  const w = new ByteWriter();
  w.u16be(0).u16be(0).u16be(names.length).u16be(0).u16be(0).u16be(0);
  for (const n of names) {
    encodeName(w, n);
    w.u16be(type).u16be(1);
  }
  return w.finish();
}

function readName(bytes: Uint8Array, r: ByteReader, field: string): string {
  const labels: string[] = [];
  let reader = r;
  let hops = 0;
  for (;;) {
    const len = reader.u8(field);
    if (len === 0) break;
    if ((len & 0xc0) === 0xc0) {
      const target = ((len & 0x3f) << 8) | reader.u8(field);
      if (++hops > MAX_POINTER_HOPS) {
        throw new MalformedError("dns.name-pointer-loop", "too many compression pointers", {
          path: field,
          offset: r.offset,
        });
      }
      if (target >= bytes.length) {
        throw new MalformedError("dns.name-pointer", "pointer past the end", { path: field, offset: r.offset });
      }
      // Only the original reader advances past the pointer; the rest of the name is read where it points.
      reader = new ByteReader(bytes, target);
      continue;
    }
    if ((len & 0xc0) !== 0) {
      throw new MalformedError("dns.label-type", `label type 0x${len.toString(16)}`, { path: field, offset: r.offset });
    }
    const label = utf8(reader.take(len, field), field);
    labels.push(label);
    if (labels.join(".").length > 255) throw new MalformedError("dns.name-length", "name too long", { path: field });
  }
  return labels.join(".");
}

function readRecord(bytes: Uint8Array, r: ByteReader, field: string): DnsRecord {
  const name = readName(bytes, r, `${field}/name`);
  const type = r.u16be(`${field}/type`);
  const klass = r.u16be(`${field}/class`);
  const ttl = r.u32be(`${field}/ttl`);
  const length = r.u16be(`${field}/rdlength`);
  const start = r.offset;
  const rdata = r.take(length, `${field}/rdata`);
  const rd = new ByteReader(bytes, start, start + length);
  let data: string | string[];
  if (type === RR_TYPE.PTR) data = readName(bytes, rd, `${field}/ptr`);
  else if (type === RR_TYPE.SRV) {
    rd.u16be(`${field}/priority`);
    rd.u16be(`${field}/weight`);
    const port = rd.u16be(`${field}/port`);
    data = `${port} ${readName(bytes, rd, `${field}/target`)}`;
  } else if (type === RR_TYPE.TXT) {
    data = [];
    while (!rd.done) {
      const n = rd.u8(`${field}/txt`);
      data.push(utf8(rd.take(n, `${field}/txt`), `${field}/txt`));
    }
  } else {
    rd.take(length, `${field}/rdata`);
    if (type === RR_TYPE.A && length === 4) data = [...rdata].join(".");
    else if (type === RR_TYPE.AAAA && length === 16) {
      data = Array.from({ length: 8 }, (_, i) => ((rdata[2 * i]! << 8) | rdata[2 * i + 1]!).toString(16)).join(":");
    } else data = Buffer.from(rdata).toString("hex");
  }
  rd.expectEnd(`${field}/rdata`);
  return { name, type, cacheFlush: (klass & 0x8000) !== 0, ttl, data };
}

/** Decodes one DNS message; MalformedError on anything that does not parse. */
export function decodeMessage(bytes: Uint8Array): DnsMessage {
  const r = new ByteReader(bytes);
  const id = r.u16be("header/id");
  const flags = r.u16be("header/flags");
  const qd = r.u16be("header/qdcount");
  const counts = [r.u16be("header/ancount"), r.u16be("header/nscount"), r.u16be("header/arcount")];
  const questions: { name: string; type: number }[] = [];
  for (let i = 0; i < qd; i++) {
    const name = readName(bytes, r, `question[${i}]`);
    const type = r.u16be(`question[${i}]/type`);
    r.u16be(`question[${i}]/class`);
    questions.push({ name, type });
  }
  const records: DnsRecord[] = [];
  const total = counts.reduce((a, b) => a + b, 0);
  for (let i = 0; i < total; i++) records.push(readRecord(bytes, r, `record[${i}]`));
  r.expectEnd("message");
  return { id, response: (flags & 0x8000) !== 0, questions, records };
}
