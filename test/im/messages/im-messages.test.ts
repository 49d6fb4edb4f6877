// IM message codecs: wire vectors, round trips, cross-field rules and robustness (random/mutated bytes decode or
// raise MalformedError, never anything else).
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { fromHex, toHex } from "../../../src/bytes/bytes.ts";
import { MalformedError } from "../../../src/bytes/errors.ts";
import { AttributeReportIB } from "../../../src/im/messages/attribute-report-ib.ts";
import { EventDataIB } from "../../../src/im/messages/event-data-ib.ts";
import { ImMessageType, imMessageTypeName, isImMessageType } from "../../../src/im/messages/im-message-type.ts";
import { INTERACTION_MODEL_REVISION } from "../../../src/im/messages/interaction-model-revision.ts";
import { InvokeRequestMessage } from "../../../src/im/messages/invoke-request-message.ts";
import { InvokeResponseMessage } from "../../../src/im/messages/invoke-response-message.ts";
import { ReadRequestMessage } from "../../../src/im/messages/read-request-message.ts";
import { ReportDataMessage } from "../../../src/im/messages/report-data-message.ts";
import { StatusResponseMessage } from "../../../src/im/messages/status-response-message.ts";
import { SubscribeRequestMessage } from "../../../src/im/messages/subscribe-request-message.ts";
import { SubscribeResponseMessage } from "../../../src/im/messages/subscribe-response-message.ts";
import { TimedRequestMessage } from "../../../src/im/messages/timed-request-message.ts";
import { WriteRequestMessage } from "../../../src/im/messages/write-request-message.ts";
import { WriteResponseMessage } from "../../../src/im/messages/write-response-message.ts";
import { ANONYMOUS, ctx } from "../../../src/tlv/tlv-node.ts";

const uint = (v: number) => ({ tag: ANONYMOUS, type: "uint", value: BigInt(v) }) as const;

test("opcodes match Core 10.2.1", () => {
  assert.equal(ImMessageType.StatusResponse, 0x01);
  assert.equal(ImMessageType.TimedRequest, 0x0a);
  assert.equal(imMessageTypeName(0x05), "ReportData");
  assert.equal(imMessageTypeName(0x0b), "0x0b");
  assert.ok(isImMessageType(0x09));
  assert.ok(!isImMessageType(0x00));
});

test("InteractionModelRevision is 12 and written as context tag 0xFF", () => {
  assert.equal(INTERACTION_MODEL_REVISION, 12);
  assert.equal(toHex(StatusResponseMessage.encode({ status: 0 })), "15240000" + "24ff0c18");
});

test("ReadRequest vector: concrete path GeneralCommissioning.SupportsConcurrentConnection, not fabric-filtered", () => {
  // As matter.js 0.17 encodes it: AttributePathIB is a list (0x17) with tags 2/3/4.
  const bytes = fromHex("153600172402002403302404041818280324ff0c18");
  const m = ReadRequestMessage.decode(bytes);
  assert.deepEqual(m.attributeRequests, [{ endpoint: 0, cluster: 0x30, attribute: 4 }]);
  assert.equal(m.isFabricFiltered, false);
  assert.equal(m.interactionModelRevision, 12);
  assert.equal(toHex(ReadRequestMessage.encode(m)), toHex(bytes));
});

test("a message without InteractionModelRevision decodes; encode adds it", () => {
  const m = TimedRequestMessage.decode(fromHex("1525006400" + "18"));
  assert.equal(m.timeout, 100);
  assert.equal(m.interactionModelRevision, undefined);
  // Our encoder writes minimal widths.
  assert.equal(toHex(TimedRequestMessage.encode(m)), "15240064" + "24ff0c18");
});

test("AttributePathIB must be a list, not a struct", () => {
  const asStruct = fromHex("1536001524020024033024040418182803" + "24ff0c18");
  assert.throws(() => ReadRequestMessage.decode(asStruct), MalformedError);
});

test("AttributeReportIB needs exactly one of status and data", () => {
  const path = { endpoint: 0, cluster: 6, attribute: 0 };
  const both = {
    attributeStatus: { path, status: { status: 0 } },
    attributeData: { path, data: { tag: ANONYMOUS, type: "bool", value: true } as const },
  };
  assert.throws(() => AttributeReportIB.encode(both), RangeError);
  // Rebuild the illegal "both" on the wire by hand and check the decoder refuses it.
  const statusOnly = AttributeReportIB.encode({ attributeStatus: both.attributeStatus });
  const dataOnly = AttributeReportIB.encode({ attributeData: both.attributeData });
  const inner = (b: Uint8Array) => b.subarray(1, b.length - 1);
  const bothBytes = Uint8Array.from([0x15, ...inner(statusOnly), ...inner(dataOnly), 0x18]);
  assert.throws(
    () => AttributeReportIB.decode(bothBytes),
    (e: unknown) => e instanceof MalformedError && /exactly one/.test(e.message),
  );
  assert.throws(() => AttributeReportIB.decode(fromHex("1518")), MalformedError);
});

test("EventDataIB needs exactly one timestamp", () => {
  const base = { path: { endpoint: 0, cluster: 0x28, event: 0 }, eventNumber: 5n, priority: 2 };
  assert.doesNotThrow(() => EventDataIB.encode({ ...base, systemTimestamp: 10n }));
  assert.throws(() => EventDataIB.encode(base), RangeError);
  assert.throws(() => EventDataIB.encode({ ...base, systemTimestamp: 1n, epochTimestamp: 2n }), RangeError);
});

test("every message round-trips", () => {
  const path = { endpoint: 1, cluster: 6, attribute: 0 };
  const cases: [{ encode(v: never): Uint8Array; decode(b: Uint8Array): unknown }, unknown][] = [
    [StatusResponseMessage, { status: 0x7e }],
    [
      ReadRequestMessage,
      {
        attributeRequests: [{}, { endpoint: 0, listIndex: null }, { wildcardPathFlags: 3, node: 2n ** 64n - 1n }],
        eventRequests: [{ isUrgent: true }],
        eventFilters: [{ eventMin: 7n }],
        isFabricFiltered: true,
        dataVersionFilters: [{ path: { endpoint: 0, cluster: 0x3e }, dataVersion: 0xffffffff }],
      },
    ],
    [
      SubscribeRequestMessage,
      {
        keepSubscriptions: false,
        minIntervalFloor: 0,
        maxIntervalCeiling: 60,
        attributeRequests: [{}],
        isFabricFiltered: true,
      },
    ],
    [SubscribeResponseMessage, { subscriptionId: 0xdeadbeef, maxInterval: 60 }],
    [
      ReportDataMessage,
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
              data: { tag: ctx(7), type: "struct", elements: [{ ...uint(3), tag: ctx(0) }] },
            },
          },
          { eventStatus: { path: { endpoint: 9 }, status: { status: 0x7f } } },
        ],
        moreChunkedMessages: true,
        suppressResponse: false,
      },
    ],
    [
      WriteRequestMessage,
      {
        suppressResponse: false,
        timedRequest: true,
        writeRequests: [{ path: { ...path, listIndex: null }, data: { tag: ctx(2), type: "utf8", value: "x" } }],
        moreChunkedMessages: true,
      },
    ],
    [WriteResponseMessage, { writeResponses: [{ path, status: { status: 0 } }] }],
    [
      InvokeRequestMessage,
      {
        suppressResponse: false,
        timedRequest: false,
        invokeRequests: [
          {
            path: { endpoint: 0, cluster: 0x30, command: 0 },
            fields: { tag: ctx(1), type: "struct", elements: [] },
            ref: 1,
          },
        ],
      },
    ],
    [
      InvokeResponseMessage,
      {
        suppressResponse: false,
        invokeResponses: [
          {
            command: {
              path: { endpoint: 0, cluster: 0x30, command: 1 },
              fields: { tag: ctx(1), type: "struct", elements: [] },
            },
          },
          { status: { path: { endpoint: 0, cluster: 0x30, command: 4 }, status: { status: 0 }, ref: 2 } },
        ],
        moreChunkedMessages: false,
      },
    ],
    [TimedRequestMessage, { timeout: 5000 }],
  ];
  for (const [codec, value] of cases) {
    const bytes = codec.encode(value as never);
    const back = codec.decode(bytes) as Record<string, unknown>;
    assert.deepEqual(stripOffsets(back), { ...(value as object), interactionModelRevision: 12 });
    assert.equal(toHex(codec.encode(back as never)), toHex(bytes));
  }
});

/** Decoded raw TLV nodes carry `offset` and wire `width`; drop them for comparison with hand-built values. */
function stripOffsets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripOffsets);
  if (v instanceof Uint8Array || typeof v !== "object" || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (k !== "offset" && k !== "width") out[k] = stripOffsets(x);
  return out;
}

test("AttributePathIB round-trips for arbitrary member combinations (property)", () => {
  const path = fc.record(
    {
      enableTagCompression: fc.boolean(),
      node: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      endpoint: fc.integer({ min: 0, max: 0xffff }),
      cluster: fc.integer({ min: 0, max: 0xffffffff }),
      attribute: fc.integer({ min: 0, max: 0xffffffff }),
      listIndex: fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: null }),
      wildcardPathFlags: fc.integer({ min: 0, max: 0x1ff }),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(fc.array(path, { maxLength: 4 }), fc.boolean(), (attributeRequests, isFabricFiltered) => {
      const m = { attributeRequests: attributeRequests.map((p) => ({ ...p })), isFabricFiltered };
      const back = ReadRequestMessage.decode(ReadRequestMessage.encode(m));
      assert.deepEqual(back, { ...m, interactionModelRevision: 12 });
    }),
  );
});

const codecs = [
  StatusResponseMessage,
  ReadRequestMessage,
  SubscribeRequestMessage,
  SubscribeResponseMessage,
  ReportDataMessage,
  WriteRequestMessage,
  WriteResponseMessage,
  InvokeRequestMessage,
  InvokeResponseMessage,
  TimedRequestMessage,
];

function decodesOrMalformed(decode: (b: Uint8Array) => unknown, bytes: Uint8Array): void {
  try {
    decode(bytes);
  } catch (e) {
    if (!(e instanceof MalformedError)) throw e;
  }
}

test("random bytes: every decoder decodes or throws MalformedError (property)", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom(...codecs), (bytes, codec) => {
      decodesOrMalformed((b) => codec.decode(b), bytes);
    }),
    { numRuns: 2000 },
  );
});

test("mutated valid messages: decode or MalformedError (property)", () => {
  const seeds: [(typeof codecs)[number], Uint8Array][] = [
    [ReadRequestMessage, fromHex("153600172402002403302404041818280324ff0c18")],
    [
      ReportDataMessage,
      ReportDataMessage.encode({
        subscriptionId: 1,
        attributeReports: [
          { attributeData: { dataVersion: 3, path: { endpoint: 0, cluster: 6, attribute: 0 }, data: uint(1) } },
        ],
        eventReports: [
          {
            eventData: {
              path: { endpoint: 0, cluster: 0x28, event: 2 },
              eventNumber: 9n,
              priority: 1,
              systemTimestamp: 5n,
              data: { tag: ANONYMOUS, type: "struct", elements: [] },
            },
          },
        ],
      }),
    ],
    [
      InvokeRequestMessage,
      InvokeRequestMessage.encode({
        suppressResponse: false,
        timedRequest: false,
        invokeRequests: [
          {
            path: { endpoint: 0, cluster: 0x30, command: 0 },
            fields: { tag: ANONYMOUS, type: "struct", elements: [] },
          },
        ],
      }),
    ],
  ];
  fc.assert(
    fc.property(
      fc.constantFrom(...seeds),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
      ([codec, seed], edits) => {
        const bytes = Uint8Array.from(seed);
        for (const [i, v] of edits) bytes[i % bytes.length] = v;
        decodesOrMalformed((b) => codec.decode(b), bytes);
        decodesOrMalformed((b) => codec.decode(b), bytes.subarray(0, edits[0]![0] % bytes.length));
      },
    ),
    { numRuns: 2000 },
  );
});
