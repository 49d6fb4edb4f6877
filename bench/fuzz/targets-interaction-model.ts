/**
 * Fuzz targets of the Interaction Model messages (Core 10.7): every message codec and every information block, seeded
 * with freshly encoded messages (wildcard and concrete paths, chunking flags, events, statuses) and with encodings
 * found by asking each schema (schema-seeds.ts).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { AttributeReportIB } from "../../src/im/messages/attribute-report-ib.ts";
import { EventDataIB } from "../../src/im/messages/event-data-ib.ts";
import { EventReportIB } from "../../src/im/messages/event-report-ib.ts";
import { InvokeRequestMessage } from "../../src/im/messages/invoke-request-message.ts";
import { InvokeResponseIB } from "../../src/im/messages/invoke-response-ib.ts";
import { InvokeResponseMessage } from "../../src/im/messages/invoke-response-message.ts";
import { ReadRequestMessage } from "../../src/im/messages/read-request-message.ts";
import { ReportDataMessage } from "../../src/im/messages/report-data-message.ts";
import { StatusResponseMessage } from "../../src/im/messages/status-response-message.ts";
import { SubscribeRequestMessage } from "../../src/im/messages/subscribe-request-message.ts";
import { SubscribeResponseMessage } from "../../src/im/messages/subscribe-response-message.ts";
import { TimedRequestMessage } from "../../src/im/messages/timed-request-message.ts";
import { WriteRequestMessage } from "../../src/im/messages/write-request-message.ts";
import { WriteResponseMessage } from "../../src/im/messages/write-response-message.ts";
import { ctx } from "../../src/tlv/tlv-node.ts";
import { FuzzRandom } from "./fuzz-random.ts";
import type { FuzzTarget } from "./fuzz-target.ts";
import { REPO } from "./fuzz-target.ts";
import { type DecodingSchema, schemaSeeds } from "./schema-seeds.ts";

type Codec = { encode(v: never): Uint8Array; decode(b: Uint8Array): unknown };

/** Every IM message codec with example values that exercise its optional members. */
function messageExamples(): [string, Codec, unknown[]][] {
  const path = { endpoint: 1, cluster: 6, attribute: 0 };
  const fields = { tag: ctx(1), type: "struct", elements: [{ tag: ctx(0), type: "uint", value: 300n }] } as const;
  return [
    ["StatusResponse", StatusResponseMessage, [{ status: 0 }, { status: 0x7e }]],
    [
      "ReadRequest",
      ReadRequestMessage,
      [
        { attributeRequests: [{ endpoint: 0, cluster: 0x30, attribute: 4 }], isFabricFiltered: false },
        {
          attributeRequests: [{}, { endpoint: 0, listIndex: null }, { wildcardPathFlags: 3, node: 2n ** 64n - 1n }],
          eventRequests: [{ isUrgent: true }],
          eventFilters: [{ eventMin: 7n }],
          isFabricFiltered: true,
          dataVersionFilters: [{ path: { endpoint: 0, cluster: 0x3e }, dataVersion: 0xffffffff }],
        },
      ],
    ],
    [
      "SubscribeRequest",
      SubscribeRequestMessage,
      [
        {
          keepSubscriptions: false,
          minIntervalFloor: 0,
          maxIntervalCeiling: 60,
          attributeRequests: [{}],
          isFabricFiltered: true,
        },
        {
          keepSubscriptions: true,
          minIntervalFloor: 1,
          maxIntervalCeiling: 3600,
          attributeRequests: [path],
          eventRequests: [{ endpoint: 0, cluster: 0x28 }],
          eventFilters: [{ eventMin: 1n }],
          isFabricFiltered: false,
          dataVersionFilters: [{ path: { endpoint: 1, cluster: 6 }, dataVersion: 1 }],
        },
      ],
    ],
    ["SubscribeResponse", SubscribeResponseMessage, [{ subscriptionId: 0xdeadbeef, maxInterval: 60 }]],
    [
      "ReportData",
      ReportDataMessage,
      [
        {
          subscriptionId: 1,
          attributeReports: [
            { attributeData: { dataVersion: 3, path, data: { tag: ctx(2), type: "bool", value: true } } },
            { attributeStatus: { path, status: { status: 0x86, clusterStatus: 2 } } },
          ],
          eventReports: [
            {
              eventData: {
                path: { endpoint: 0, cluster: 0x28, event: 2 },
                eventNumber: 9n,
                priority: 1,
                epochTimestamp: 1700000000000n,
                data: { tag: ctx(7), type: "struct", elements: [{ tag: ctx(0), type: "uint", value: 3n }] },
              },
            },
            { eventStatus: { path: { endpoint: 9 }, status: { status: 0x7f } } },
          ],
          moreChunkedMessages: true,
          suppressResponse: false,
        },
      ],
    ],
    [
      "WriteRequest",
      WriteRequestMessage,
      [
        {
          suppressResponse: false,
          timedRequest: true,
          writeRequests: [{ path: { ...path, listIndex: null }, data: { tag: ctx(2), type: "utf8", value: "x" } }],
          moreChunkedMessages: true,
        },
      ],
    ],
    ["WriteResponse", WriteResponseMessage, [{ writeResponses: [{ path, status: { status: 0 } }] }]],
    [
      "InvokeRequest",
      InvokeRequestMessage,
      [
        {
          suppressResponse: false,
          timedRequest: false,
          invokeRequests: [{ path: { endpoint: 0, cluster: 0x30, command: 0 }, fields, ref: 1 }],
        },
        {
          suppressResponse: true,
          timedRequest: true,
          invokeRequests: [
            { path: { endpoint: 0, cluster: 0x3e, command: 4 }, fields: { tag: ctx(1), type: "struct", elements: [] } },
            {
              path: { endpoint: 1, cluster: 6, command: 2 },
              fields: { tag: ctx(1), type: "struct", elements: [] },
              ref: 2,
            },
          ],
        },
      ],
    ],
    [
      "InvokeResponse",
      InvokeResponseMessage,
      [
        {
          suppressResponse: false,
          invokeResponses: [
            { command: { path: { endpoint: 0, cluster: 0x30, command: 1 }, fields } },
            { status: { path: { endpoint: 0, cluster: 0x30, command: 4 }, status: { status: 0 }, ref: 2 } },
          ],
          moreChunkedMessages: false,
        },
      ],
    ],
    ["TimedRequest", TimedRequestMessage, [{ timeout: 5000 }]],
  ];
}

function isSchema(v: unknown): v is DecodingSchema {
  return (
    typeof v === "object" &&
    v !== null &&
    typeof (v as { decode?: unknown }).decode === "function" &&
    typeof (v as { decodeNode?: unknown }).decodeNode === "function"
  );
}

/** Every exported struct schema of the TypeScript modules under `dir` (relative to the repository), by name. */
export async function exportedSchemas(dir: string): Promise<[string, DecodingSchema][]> {
  const out: [string, DecodingSchema][] = [];
  const root = join(REPO, dir);
  const files = readdirSync(root, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .sort();
  for (const file of files) {
    const module = (await import(pathToFileURL(join(root, file)).href).catch((e: unknown) => {
      // Plain node has no TypeScript loader: the test bundles of `npm test` (test/support/compiled-child-bundle.mjs)
      // take product code from dist/, so the compiled module is the one the rest of the process uses.
      if ((e as { code?: unknown }).code !== "ERR_UNKNOWN_FILE_EXTENSION") throw e;
      return import(pathToFileURL(join(REPO, "dist", dir, file.replace(/\.ts$/, ".js"))).href);
    })) as Record<string, unknown>;
    for (const [name, value] of Object.entries(module))
      if (isSchema(value)) out.push([`${file.replace(/\.ts$/, "")}#${name}`, value]);
  }
  return out;
}

/** The IM targets: each message codec and each information block schema of src/im/messages. */
export async function interactionModelTargets(seed: number): Promise<FuzzTarget[]> {
  const targets: FuzzTarget[] = messageExamples().map(([name, codec, values]) => ({
    name: `im/${name}Message`,
    decode: (b: Uint8Array) => codec.decode(b),
    seeds: [...values.map((v) => codec.encode(v as never)), ...schemaSeeds(codec, FuzzRandom.derive(seed, name))],
  }));
  // Information blocks whose "exactly one of" rule the schema guesser cannot satisfy get encoded examples.
  const path = { endpoint: 1, cluster: 6, attribute: 0 };
  const eventData = {
    path: { endpoint: 0, cluster: 0x28, event: 2 },
    eventNumber: 9n,
    priority: 1,
    systemTimestamp: 10n,
    data: { tag: ctx(7), type: "uint", value: 3n },
  } as const;
  const examples = new Map<string, Uint8Array[]>([
    [
      "im/AttributeReportIB",
      [
        AttributeReportIB.encode({
          attributeData: { dataVersion: 3, path, data: { tag: ctx(2), type: "bool", value: true } },
        }),
        AttributeReportIB.encode({ attributeStatus: { path, status: { status: 0x86 } } }),
      ],
    ],
    ["im/EventDataIB", [EventDataIB.encode(eventData)]],
    [
      "im/EventReportIB",
      [
        EventReportIB.encode({ eventData }),
        EventReportIB.encode({ eventStatus: { path: { endpoint: 9 }, status: { status: 0x7f } } }),
      ],
    ],
    [
      "im/InvokeResponseIB",
      [
        InvokeResponseIB.encode({
          status: { path: { endpoint: 0, cluster: 0x30, command: 4 }, status: { status: 0 } },
        }),
        InvokeResponseIB.encode({
          command: {
            path: { endpoint: 0, cluster: 0x30, command: 1 },
            fields: { tag: ctx(1), type: "struct", elements: [] },
          },
        }),
      ],
    ],
  ]);
  const messageNames = new Set(targets.map((t) => t.name));
  for (const [name, schema] of await exportedSchemas("src/im/messages")) {
    const short = `im/${name.split("#")[1]}`;
    if (messageNames.has(short) || !/IB$/.test(short)) continue;
    targets.push({
      name: short,
      decode: (b) => schema.decode(b),
      seeds: [...schemaSeeds(schema, FuzzRandom.derive(seed, short)), ...(examples.get(short) ?? [])],
    });
  }
  return targets;
}
