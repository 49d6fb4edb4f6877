/**
 * DNS messages as Multicast DNS and DNS-SD use them (RFC 1035 4.1, name compression 4.1.4; RFC 6762 18 header bits,
 * the QU bit 5.4 and the cache-flush bit 10.2; RFC 6763 6 TXT strings): a strict decoder and an exact encoder for
 * questions and the PTR, SRV, TXT, A and AAAA records a Matter commissioner reads. Other record types and classes are
 * skipped by their RDLENGTH and counted. Names are dotted presentation strings in which a label's own `.` and `\`
 * are escaped as `\.` and `\\` (RFC 1035 5.1); labels are UTF-8 (RFC 6762 16).
 */
import { ByteReader } from "../../bytes/byte-reader.ts";
import { ByteWriter } from "../../bytes/byte-writer.ts";
import { InternalError, MalformedError } from "../../bytes/errors.ts";

/** The record types this codec decodes, plus ANY for questions (RFC 1035 3.2.2, RFC 2782, RFC 3596). */
export const DnsRecordType = { A: 1, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, ANY: 255 } as const;
/** One of the record types in `DnsRecordType`. */
export type DnsRecordType = (typeof DnsRecordType)[keyof typeof DnsRecordType];

/** The Internet class; mDNS uses no other (RFC 6762 10.2: the top bit of the class is the cache-flush bit). */
const DNS_CLASS_IN = 1;
/** Size of the fixed DNS header (RFC 1035 4.1.1). */
const DNS_HEADER_BYTES = 12;
/** Largest label, in bytes (RFC 1035 2.3.4). */
const MAX_DNS_LABEL_BYTES = 63;
/** Largest name on the wire, in bytes, length octets and the root label included (RFC 1035 2.3.4). */
const MAX_DNS_NAME_BYTES = 255;
/** Most compression pointers followed while reading one name; a longer chain is rejected as a loop. */
const MAX_DNS_POINTER_HOPS = 64;
/** Largest offset a compression pointer can hold (14 bits). */
const MAX_POINTER_OFFSET = 0x3fff;
const QR_BIT = 0x8000;
const AA_BIT = 0x0400;
const TC_BIT = 0x0200;
const CLASS_TOP_BIT = 0x8000;

/** A question (RFC 1035 4.1.2); `unicastResponse` is the QU bit (RFC 6762 5.4). */
export type DnsQuestion = {
  readonly name: string;
  readonly type: number;
  readonly unicastResponse: boolean;
};

/** The type-specific part of a record this codec understands. */
export type DnsRecordData =
  | { readonly type: typeof DnsRecordType.A; readonly address: string }
  | { readonly type: typeof DnsRecordType.AAAA; readonly address: string }
  | { readonly type: typeof DnsRecordType.PTR; readonly target: string }
  | {
      readonly type: typeof DnsRecordType.SRV;
      readonly priority: number;
      readonly weight: number;
      readonly port: number;
      readonly target: string;
    }
  | { readonly type: typeof DnsRecordType.TXT; readonly entries: readonly Uint8Array[] };

/** A resource record of class IN (RFC 1035 4.1.3); `cacheFlush` is the top bit of its class (RFC 6762 10.2). */
export type DnsResourceRecord = {
  readonly name: string;
  readonly ttl: number;
  readonly cacheFlush: boolean;
} & DnsRecordData;

/** A decoded DNS message. */
export type DnsMessage = {
  readonly id: number;
  readonly isResponse: boolean;
  readonly opcode: number;
  readonly authoritative: boolean;
  readonly truncated: boolean;
  readonly rcode: number;
  readonly questions: readonly DnsQuestion[];
  readonly answers: readonly DnsResourceRecord[];
  readonly authorities: readonly DnsResourceRecord[];
  readonly additionals: readonly DnsResourceRecord[];
  /** Records of other types or classes, skipped by their RDLENGTH. */
  readonly skippedRecords: number;
};

/** What `encodeDnsMessage` writes; absent fields are 0, false or empty. */
export type DnsMessageInit = {
  readonly id?: number;
  readonly isResponse?: boolean;
  readonly opcode?: number;
  readonly authoritative?: boolean;
  readonly truncated?: boolean;
  readonly rcode?: number;
  readonly questions?: readonly DnsQuestion[];
  readonly answers?: readonly DnsResourceRecord[];
  readonly authorities?: readonly DnsResourceRecord[];
  readonly additionals?: readonly DnsResourceRecord[];
};

const utf8Decoder = new TextDecoder("utf-8", { fatal: true });
const utf8Encoder = new TextEncoder();

// ---------------------------------------------------------------------------------------------------------------
// Names

/**
 * Splits a presentation name into label strings (unescaping `\.` and `\\`); "." is the root name (no labels).
 * RangeError on an empty name, an empty label or a bad escape.
 */
export function dnsNameLabels(name: string): string[] {
  if (name === ".") return [];
  const labels: string[] = [];
  let label = "";
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c === "\\") {
      const next = name[i + 1];
      if (next !== "." && next !== "\\") throw new RangeError(`bad escape in DNS name ${JSON.stringify(name)}`);
      label += next;
      i++;
    } else if (c === ".") {
      if (label === "") throw new RangeError(`empty label in DNS name ${JSON.stringify(name)}`);
      labels.push(label);
      label = "";
    } else label += c;
  }
  // One trailing dot (a fully qualified name) is allowed.
  if (label !== "") labels.push(label);
  if (labels.length === 0) throw new RangeError("a DNS name needs at least one label");
  return labels;
}

function escapeLabel(label: string): string {
  return label.replace(/[\\.]/g, (c) => `\\${c}`);
}

/** The presentation form of a label sequence (the inverse of `dnsNameLabels`). */
export function dnsNameFromLabels(labels: readonly string[]): string {
  return labels.length === 0 ? "." : labels.map(escapeLabel).join(".");
}

/** Case-insensitive comparison key of a name (RFC 1035 2.3.3: ASCII letters only fold). */
export function dnsNameKey(name: string): string {
  return name.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** Reads a possibly compressed name at `r`, leaving `r` after its last in-place byte. */
function readName(bytes: Uint8Array, r: ByteReader, field: string): string {
  const labels: string[] = [];
  let wireLength = 1;
  let reader = r;
  let hops = 0;
  for (;;) {
    const at = reader.offset;
    const len = reader.u8(field);
    if (len === 0) break;
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      const target = ((len & 0x3f) << 8) | reader.u8(field);
      // Each hop is counted: a chain longer than any legal name can need is a loop (RFC 1035 4.1.4 pointers).
      if (++hops > MAX_DNS_POINTER_HOPS) {
        throw new MalformedError("dns.name-pointer-loop", "compression pointers loop", { path: field, offset: at });
      }
      if (target < DNS_HEADER_BYTES || target >= bytes.length) {
        throw new MalformedError("dns.name-pointer", `pointer to 0x${target.toString(16)} outside the records`, {
          path: field,
          offset: at,
        });
      }
      // Only the caller's reader advances past the pointer; the rest of the name is read where it points.
      reader = new ByteReader(bytes, target);
      continue;
    }
    if (kind !== 0) {
      throw new MalformedError("dns.label-type", `reserved label type 0x${kind.toString(16)}`, {
        path: field,
        offset: at,
      });
    }
    wireLength += len + 1;
    // A name SHALL be at most 255 octets (RFC 1035 2.3.4); this also bounds a pointer chain that revisits labels.
    if (wireLength > MAX_DNS_NAME_BYTES) {
      throw new MalformedError("dns.name-length", `name longer than ${MAX_DNS_NAME_BYTES} bytes`, {
        path: field,
        offset: at,
      });
    }
    const raw = reader.take(len, field);
    let label: string;
    try {
      label = utf8Decoder.decode(raw);
    } catch {
      throw new MalformedError("dns.label-utf8", "label is not UTF-8", { path: field, offset: at + 1 });
    }
    labels.push(label);
  }
  return dnsNameFromLabels(labels);
}

/** Writes names, compressing suffixes already written (RFC 1035 4.1.4); offsets are absolute in the message. */
class NameWriter {
  readonly #offsets = new Map<string, number>();

  /** Appends `name` to `w`, whose first byte lies at message offset `base`. */
  write(w: ByteWriter, base: number, name: string, compress: boolean): void {
    const texts = dnsNameLabels(name);
    const labels = texts.map((l) => utf8Encoder.encode(l));
    const wire = labels.reduce((n, l) => n + l.length + 1, 1);
    if (wire > MAX_DNS_NAME_BYTES) throw new RangeError(`DNS name longer than ${MAX_DNS_NAME_BYTES} bytes: ${name}`);
    const keys = texts.map((_, i) => dnsNameKey(dnsNameFromLabels(texts.slice(i))));
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i]!;
      if (label.length === 0 || label.length > MAX_DNS_LABEL_BYTES) {
        throw new RangeError(`DNS label of ${label.length} bytes in ${name}`);
      }
      // A lone surrogate would go out as U+FFFD: refuse it rather than send another name.
      if (utf8Decoder.decode(label) !== texts[i])
        throw new RangeError(`DNS label is not well-formed Unicode in ${name}`);
      const known = compress ? this.#offsets.get(keys[i]!) : undefined;
      if (known !== undefined) {
        w.u16be(0xc000 | known);
        return;
      }
      const here = base + w.length;
      if (here <= MAX_POINTER_OFFSET && !this.#offsets.has(keys[i]!)) this.#offsets.set(keys[i]!, here);
      w.u8(label.length).bytes(label);
    }
    w.u8(0);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Addresses

/** The RFC 5952 text of 16 address bytes (lower-case hex, the longest run of zero groups as `::`). */
export function formatIpv6(b: Uint8Array): string {
  if (b.length !== 16) throw new RangeError(`an IPv6 address is 16 bytes, got ${b.length}`);
  const groups = Array.from({ length: 8 }, (_, i) => (b[2 * i]! << 8) | b[2 * i + 1]!);
  // RFC 5952 4.2: the longest run of two or more zero groups becomes "::" (the first such run on a tie).
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(":");
  if (bestAt < 0) return hex(groups);
  return `${hex(groups.slice(0, bestAt))}::${hex(groups.slice(bestAt + bestLen))}`;
}

/** Parses a dotted IPv4 address into 4 bytes; RangeError otherwise. */
function parseIpv4(text: string): Uint8Array {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) {
    throw new RangeError(`not an IPv4 address: ${text}`);
  }
  return Uint8Array.from(parts.map(Number));
}

/** Parses an IPv6 address (with `::` and an optional trailing dotted IPv4 part, no zone) into 16 bytes. */
export function parseIpv6(text: string): Uint8Array {
  const bad = (): never => {
    throw new RangeError(`not an IPv6 address: ${text}`);
  };
  const halves = text.split("::");
  if (halves.length > 2) bad();
  const groups = (part: string): number[] => {
    if (part === "") return [];
    const out: number[] = [];
    const items = part.split(":");
    items.forEach((item, i) => {
      if (i === items.length - 1 && item.includes(".")) {
        const v4 = parseIpv4(item);
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(item)) out.push(Number.parseInt(item, 16));
      else bad();
    });
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) bad();
  const all = [...head, ...Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  return Uint8Array.from(all.flatMap((g) => [g >> 8, g & 0xff]));
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding

function readRecord(bytes: Uint8Array, r: ByteReader, field: string): DnsResourceRecord | undefined {
  const name = readName(bytes, r, `${field}/name`);
  const type = r.u16be(`${field}/type`);
  const klass = r.u16be(`${field}/class`);
  const ttl = r.u32be(`${field}/ttl`);
  const rdlength = r.u16be(`${field}/rdlength`);
  const start = r.offset;
  r.take(rdlength, `${field}/rdata`);
  const cacheFlush = (klass & CLASS_TOP_BIT) !== 0;
  if ((klass & ~CLASS_TOP_BIT) !== DNS_CLASS_IN) return undefined;
  // The RDATA is read through its own bounded reader: no field may run past RDLENGTH.
  const rd = new ByteReader(bytes, start, start + rdlength);
  const common = { name, ttl, cacheFlush };
  let record: DnsResourceRecord;
  switch (type) {
    case DnsRecordType.A:
      record = { ...common, type, address: Array.from(rd.take(4, `${field}/a`)).join(".") };
      break;
    case DnsRecordType.AAAA:
      record = { ...common, type, address: formatIpv6(rd.take(16, `${field}/aaaa`)) };
      break;
    case DnsRecordType.PTR:
      record = { ...common, type, target: readName(bytes, rd, `${field}/ptr`) };
      break;
    case DnsRecordType.SRV: {
      const priority = rd.u16be(`${field}/srv/priority`);
      const weight = rd.u16be(`${field}/srv/weight`);
      const port = rd.u16be(`${field}/srv/port`);
      record = { ...common, type, priority, weight, port, target: readName(bytes, rd, `${field}/srv/target`) };
      break;
    }
    case DnsRecordType.TXT: {
      // TXT-DATA is one or more <character-string>s (RFC 1035 3.3.14); an empty TXT is a single empty string.
      if (rdlength === 0)
        throw new MalformedError("dns.txt-empty", "TXT with no strings", { path: field, offset: start });
      const entries: Uint8Array[] = [];
      while (!rd.done) {
        const n = rd.u8(`${field}/txt`);
        entries.push(rd.take(n, `${field}/txt`).slice());
      }
      record = { ...common, type, entries };
      break;
    }
    default:
      return undefined;
  }
  rd.expectEnd(`${field}/rdata`);
  return record;
}

/** Decodes one DNS message; MalformedError (naming the field and offset) on anything that does not parse. */
export function decodeDnsMessage(bytes: Uint8Array): DnsMessage {
  const r = new ByteReader(bytes);
  const id = r.u16be("header/id");
  const flags = r.u16be("header/flags");
  const qdcount = r.u16be("header/qdcount");
  const ancount = r.u16be("header/ancount");
  const nscount = r.u16be("header/nscount");
  const arcount = r.u16be("header/arcount");
  const questions: DnsQuestion[] = [];
  for (let i = 0; i < qdcount; i++) {
    const name = readName(bytes, r, `question[${i}]/name`);
    const type = r.u16be(`question[${i}]/type`);
    const klass = r.u16be(`question[${i}]/class`);
    questions.push({ name, type, unicastResponse: (klass & CLASS_TOP_BIT) !== 0 });
  }
  let skippedRecords = 0;
  const section = (count: number, label: string): DnsResourceRecord[] => {
    const out: DnsResourceRecord[] = [];
    for (let i = 0; i < count; i++) {
      const rec = readRecord(bytes, r, `${label}[${i}]`);
      if (rec === undefined) skippedRecords++;
      else out.push(rec);
    }
    return out;
  };
  const answers = section(ancount, "answer");
  const authorities = section(nscount, "authority");
  const additionals = section(arcount, "additional");
  r.expectEnd("message");
  return {
    id,
    isResponse: (flags & QR_BIT) !== 0,
    opcode: (flags >> 11) & 0xf,
    authoritative: (flags & AA_BIT) !== 0,
    truncated: (flags & TC_BIT) !== 0,
    rcode: flags & 0xf,
    questions,
    answers,
    authorities,
    additionals,
    skippedRecords,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding

function checkUint(name: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max)
    throw new RangeError(`${name} must be an integer in 0..${max}, got ${v}`);
}

function writeRecord(w: ByteWriter, names: NameWriter, rec: DnsResourceRecord, compress: boolean): void {
  checkUint("ttl", rec.ttl, 0xffff_ffff);
  names.write(w, 0, rec.name, compress);
  w.u16be(rec.type)
    .u16be(DNS_CLASS_IN | (rec.cacheFlush ? CLASS_TOP_BIT : 0))
    .u32be(rec.ttl);
  // RDATA goes to its own writer whose names are registered at their final message offsets (after RDLENGTH).
  const base = w.length + 2;
  const rd = new ByteWriter(64);
  switch (rec.type) {
    case DnsRecordType.A:
      rd.bytes(parseIpv4(rec.address));
      break;
    case DnsRecordType.AAAA:
      rd.bytes(parseIpv6(rec.address));
      break;
    case DnsRecordType.PTR:
      names.write(rd, base, rec.target, compress);
      break;
    case DnsRecordType.SRV:
      checkUint("priority", rec.priority, 0xffff);
      checkUint("weight", rec.weight, 0xffff);
      checkUint("port", rec.port, 0xffff);
      rd.u16be(rec.priority).u16be(rec.weight).u16be(rec.port);
      names.write(rd, base, rec.target, compress);
      break;
    case DnsRecordType.TXT:
      if (rec.entries.length === 0) throw new RangeError("a TXT record needs at least one string");
      for (const e of rec.entries) {
        if (e.length > 255) throw new RangeError(`TXT string of ${e.length} bytes (at most 255)`);
        rd.u8(e.length).bytes(e);
      }
      break;
  }
  const rdata = rd.finish();
  checkUint("rdlength", rdata.length, 0xffff);
  w.u16be(rdata.length).bytes(rdata);
}

/** Encodes a message; names are compressed unless `compress` is false. RangeError on values that do not fit. */
export function encodeDnsMessage(message: DnsMessageInit, options: { compress?: boolean } = {}): Uint8Array {
  const compress = options.compress ?? true;
  const questions = message.questions ?? [];
  const sections = [message.answers ?? [], message.authorities ?? [], message.additionals ?? []] as const;
  const id = message.id ?? 0;
  const opcode = message.opcode ?? 0;
  const rcode = message.rcode ?? 0;
  checkUint("id", id, 0xffff);
  checkUint("opcode", opcode, 0xf);
  checkUint("rcode", rcode, 0xf);
  for (const list of [questions, ...sections]) checkUint("section count", list.length, 0xffff);
  const w = new ByteWriter(512);
  const flags =
    (message.isResponse ? QR_BIT : 0) |
    (opcode << 11) |
    (message.authoritative ? AA_BIT : 0) |
    (message.truncated ? TC_BIT : 0) |
    rcode;
  w.u16be(id).u16be(flags).u16be(questions.length);
  for (const s of sections) w.u16be(s.length);
  const names = new NameWriter();
  for (const q of questions) {
    checkUint("question type", q.type, 0xffff);
    names.write(w, 0, q.name, compress);
    w.u16be(q.type).u16be(DNS_CLASS_IN | (q.unicastResponse ? CLASS_TOP_BIT : 0));
  }
  for (const s of sections) for (const rec of s) writeRecord(w, names, rec, compress);
  const out = w.finish();
  if (out.length < DNS_HEADER_BYTES) throw new InternalError("DNS message shorter than its header");
  return out;
}

/** A query (RFC 6762 18: id 0 unless a legacy unicast id is given, no flags) asking each question. */
export function encodeDnsQuery(questions: readonly DnsQuestion[], id = 0): Uint8Array {
  if (questions.length === 0) throw new RangeError("a query needs at least one question");
  return encodeDnsMessage({ id, questions });
}

// ---------------------------------------------------------------------------------------------------------------
// TXT key/value pairs (RFC 6763 6.3-6.5)

/**
 * TXT strings as key/value pairs: keys upper-cased (RFC 6763 6.4 keys are case-insensitive), the first occurrence of a
 * key wins (6.4), a string without `=` is a key with the value "" (6.4 boolean attribute); strings that are empty, start
 * with `=`, or are not UTF-8 are ignored (6.4, 6.5).
 */
export function parseTxtEntries(entries: readonly Uint8Array[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of entries) {
    let text: string;
    try {
      text = utf8Decoder.decode(e);
    } catch {
      continue;
    }
    const eq = text.indexOf("=");
    const key = (eq < 0 ? text : text.slice(0, eq)).toUpperCase();
    if (key === "" || out.has(key)) continue;
    out.set(key, eq < 0 ? "" : text.slice(eq + 1));
  }
  return out;
}

/** TXT strings from key/value pairs (`key=value`), for encoding records. */
export function txtEntries(pairs: Iterable<readonly [string, string]>): Uint8Array[] {
  return [...pairs].map(([k, v]) => utf8Encoder.encode(`${k}=${v}`));
}
