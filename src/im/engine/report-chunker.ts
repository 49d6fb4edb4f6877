/**
 * Chunking of reports into ReportData messages under a payload budget (Core spec 8.4.3.x "Chunked messages",
 * 10.7.5 MoreChunkedMessages): attribute reports first, then event reports; every chunk but the last sets
 * MoreChunkedMessages. A list attribute too big for an empty chunk is sent as an empty list followed by one
 * AttributeDataIB per entry with ListIndex null (append), as Core 8.4.3.x allows and the SDK does.
 */
import { InternalError } from "../../bytes/errors.ts";
import { MIC_BYTES } from "../../message/message-protection.ts";
import { encodeTlv } from "../../tlv/tlv-encoder.ts";
import { ANONYMOUS, type TlvNode } from "../../tlv/tlv-node.ts";
import { AttributeReportIB } from "../messages/attribute-report-ib.ts";
import { EventReportIB } from "../messages/event-report-ib.ts";
import { ReportDataMessage } from "../messages/report-data-message.ts";

/** IPv6 minimum MTU (RFC 8200), the size a Matter UDP message must fit in. */
const IPV6_MIN_MTU_BYTES = 1280;
/** IPv6 (40) + UDP (8) headers. */
const IP_UDP_HEADER_BYTES = 48;
/** Largest message header (flags, session id, security flags, counter, 8-byte source and destination node ids). */
const MAX_MESSAGE_HEADER_BYTES = 24;
/** Largest protocol header (exchange flags, opcode, exchange id, protocol id, vendor id, acknowledged counter). */
const MAX_PROTOCOL_HEADER_BYTES = 12;
/** IM payload budget of one message: 1280 - 48 - 24 - 12 - 16 = 1180 bytes. */
export const MAX_IM_PAYLOAD_BYTES =
  IPV6_MIN_MTU_BYTES - IP_UDP_HEADER_BYTES - MAX_MESSAGE_HEADER_BYTES - MAX_PROTOCOL_HEADER_BYTES - MIC_BYTES;

/** How the last chunk ends: a read's last chunk sets SuppressResponse; a subscription's chunks all want a StatusResponse. */
export type ReportKind = "read" | "subscription";

/** One ReportData payload and whether the peer must answer it with a StatusResponse. */
export interface ReportChunk {
  readonly payload: Uint8Array;
  readonly expectsStatusResponse: boolean;
}

const size = (node: TlvNode) => encodeTlv(node).length;

function splitList(report: AttributeReportIB): AttributeReportIB[] | undefined {
  const data = report.attributeData;
  if (data === undefined || (data.data.type !== "array" && data.data.type !== "list")) return undefined;
  const { path, dataVersion } = data;
  const base = dataVersion === undefined ? {} : { dataVersion };
  return [
    { attributeData: { ...base, path, data: { ...data.data, elements: [] } as TlvNode } },
    ...data.data.elements.map((e) => ({
      attributeData: { ...base, path: { ...path, listIndex: null }, data: { ...e, tag: ANONYMOUS } as TlvNode },
    })),
  ];
}

/** Packs the reports into ReportData payloads of at most `budget` bytes each (at least one, possibly empty). */
export function chunkReports(
  attributeReports: readonly AttributeReportIB[],
  eventReports: readonly EventReportIB[],
  options: { kind: ReportKind; subscriptionId?: number; budget?: number },
): ReportChunk[] {
  const budget = options.budget ?? MAX_IM_PAYLOAD_BYTES;
  const sub = options.subscriptionId === undefined ? {} : { subscriptionId: options.subscriptionId };
  // The envelope with both arrays, both flags and the revision: an upper bound of the bytes around the items.
  const envelope = ReportDataMessage.encode({
    ...sub,
    attributeReports: [],
    eventReports: [],
    moreChunkedMessages: true,
    suppressResponse: true,
  }).length;
  if (envelope >= budget) throw new RangeError(`budget ${budget} below the ReportData envelope`);

  type Chunk = { attributes: AttributeReportIB[]; events: EventReportIB[]; used: number };
  const chunks: Chunk[] = [];
  let current: Chunk = { attributes: [], events: [], used: envelope };
  const flush = () => {
    chunks.push(current);
    current = { attributes: [], events: [], used: envelope };
  };
  const queue = [...attributeReports];
  while (queue.length > 0) {
    const report = queue.shift()!;
    const n = size(AttributeReportIB.encodeNode(report, ANONYMOUS));
    if (current.used + n <= budget) {
      current.attributes.push(report);
      current.used += n;
      continue;
    }
    if (current.attributes.length > 0 || current.events.length > 0) {
      flush();
      queue.unshift(report);
      continue;
    }
    const pieces = splitList(report);
    if (pieces === undefined || pieces.length === 1)
      throw new InternalError(`an attribute report of ${n} bytes does not fit a ${budget}-byte ReportData`);
    queue.unshift(...pieces);
  }
  for (const report of eventReports) {
    const n = size(EventReportIB.encodeNode(report, ANONYMOUS));
    if (current.used + n > budget && (current.attributes.length > 0 || current.events.length > 0)) flush();
    if (current.used + n > budget)
      throw new InternalError(`an event report of ${n} bytes does not fit a ${budget}-byte ReportData`);
    current.events.push(report);
    current.used += n;
  }
  chunks.push(current);
  return chunks.map((c, i) => {
    const last = i === chunks.length - 1;
    const suppress = last && options.kind === "read";
    const payload = ReportDataMessage.encode({
      ...sub,
      ...(c.attributes.length > 0 ? { attributeReports: c.attributes } : {}),
      ...(c.events.length > 0 ? { eventReports: c.events } : {}),
      ...(last ? {} : { moreChunkedMessages: true }),
      ...(suppress ? { suppressResponse: true } : {}),
    });
    if (payload.length > budget) throw new InternalError(`chunk of ${payload.length} bytes above budget ${budget}`);
    return { payload, expectsStatusResponse: !suppress };
  });
}
