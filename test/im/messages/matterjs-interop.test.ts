// Interop with matter.js 0.17 (dev dependency; @matter/types comes with @matter/protocol): what its IM schemas encode
// decodes with ours to the same meaning, and what ours encode decodes with theirs.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  TlvDataReport,
  TlvInvokeRequest,
  TlvInvokeResponse,
  TlvReadRequest,
  TlvStatusResponse,
  TlvSubscribeRequest,
  TlvSubscribeResponse,
  TlvTimedRequest,
  TlvUInt8,
  TlvWriteRequest,
  TlvWriteResponse,
} from "@matter/types";
import { toHex } from "../../../src/bytes/bytes.ts";
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

// matter.js ids are branded numbers; plain numbers are what they hold at run time.
// biome-ignore lint/suspicious/noExplicitAny: the brands are irrelevant to the wire format under test.
const id = (n: number): any => n;

test("ReadRequest from matter.js: the controller's wildcard read with event filter", () => {
  const bytes = TlvReadRequest.encode({
    attributeRequests: [{}, { endpointId: id(0), clusterId: id(0x3e), attributeId: id(1) }],
    eventRequests: [{ isUrgent: true }],
    eventFilters: [{ eventMin: 1 }],
    isFabricFiltered: true,
    dataVersionFilters: [{ path: { endpointId: id(0), clusterId: id(0x3e) }, dataVersion: 17 }],
    interactionModelRevision: 12,
  });
  const m = ReadRequestMessage.decode(bytes);
  assert.deepEqual(m.attributeRequests, [{}, { endpoint: 0, cluster: 0x3e, attribute: 1 }]);
  assert.deepEqual(m.eventRequests, [{ isUrgent: true }]);
  assert.deepEqual(m.eventFilters, [{ eventMin: 1n }]);
  assert.deepEqual(m.dataVersionFilters, [{ path: { endpoint: 0, cluster: 0x3e }, dataVersion: 17 }]);
  assert.equal(m.isFabricFiltered, true);
  assert.equal(toHex(ReadRequestMessage.encode(m)), toHex(bytes));
});

test("SubscribeRequest from matter.js (tags 0-2, 3, 4, 7, 8)", () => {
  const bytes = TlvSubscribeRequest.encode({
    keepSubscriptions: false,
    minIntervalFloorSeconds: 0,
    maxIntervalCeilingSeconds: 60,
    attributeRequests: [{}],
    eventRequests: [{ isUrgent: true }],
    isFabricFiltered: true,
    dataVersionFilters: [{ path: { endpointId: id(0), clusterId: id(0x28) }, dataVersion: 5 }],
    interactionModelRevision: 12,
  });
  const m = SubscribeRequestMessage.decode(bytes);
  assert.equal(m.keepSubscriptions, false);
  assert.equal(m.minIntervalFloor, 0);
  assert.equal(m.maxIntervalCeiling, 60);
  assert.deepEqual(m.attributeRequests, [{}]);
  assert.equal(m.isFabricFiltered, true);
  assert.equal(m.dataVersionFilters?.[0]?.dataVersion, 5);
  assert.equal(toHex(SubscribeRequestMessage.encode(m)), toHex(bytes));
});

test("WriteRequest and InvokeRequest from matter.js", () => {
  const w = TlvWriteRequest.encode({
    timedRequest: true,
    suppressResponse: false,
    writeRequests: [
      {
        path: { endpointId: id(0), clusterId: id(0x1f), attributeId: id(0), listIndex: null },
        data: TlvUInt8.encodeTlv(5),
      },
    ],
    moreChunkedMessages: true,
    interactionModelRevision: 12,
  });
  const mw = WriteRequestMessage.decode(w);
  assert.equal(mw.timedRequest, true);
  assert.equal(mw.moreChunkedMessages, true);
  assert.deepEqual(mw.writeRequests[0]?.path, { endpoint: 0, cluster: 0x1f, attribute: 0, listIndex: null });
  assert.equal(mw.writeRequests[0]?.data.type, "uint");
  assert.equal(toHex(WriteRequestMessage.encode(mw)), toHex(w));

  const i = TlvInvokeRequest.encode({
    suppressResponse: false,
    timedRequest: false,
    invokeRequests: [{ commandPath: { endpointId: id(0), clusterId: id(0x30), commandId: id(0) }, commandRef: 3 }],
    interactionModelRevision: 12,
  });
  const mi = InvokeRequestMessage.decode(i);
  assert.deepEqual(mi.invokeRequests, [{ path: { endpoint: 0, cluster: 0x30, command: 0 }, ref: 3 }]);
  assert.equal(toHex(InvokeRequestMessage.encode(mi)), toHex(i));
});

test("our responses decode with matter.js: ReportData, SubscribeResponse, WriteResponse, InvokeResponse, Status, Timed", () => {
  const report = TlvDataReport.decode(
    ReportDataMessage.encode({
      subscriptionId: 0x1234,
      attributeReports: [
        {
          attributeData: {
            dataVersion: 7,
            path: { endpoint: 0, cluster: 0x3e, attribute: 2 },
            data: { tag: ANONYMOUS, type: "uint", value: 5n },
          },
        },
        { attributeStatus: { path: { endpoint: 0, cluster: 0x3e, attribute: 0x99 }, status: { status: 0x86 } } },
      ],
      eventReports: [
        {
          eventData: {
            path: { endpoint: 0, cluster: 0x28, event: 2 },
            eventNumber: 4n,
            priority: 1,
            epochTimestamp: 1_700_000_000_000n,
            data: { tag: ANONYMOUS, type: "struct", elements: [{ tag: ctx(0), type: "uint", value: 1n }] },
          },
        },
      ],
      moreChunkedMessages: true,
    }),
  );
  assert.equal(report.subscriptionId, 0x1234);
  assert.equal(report.moreChunkedMessages, true);
  assert.equal(report.attributeReports?.[0]?.attributeData?.dataVersion, 7);
  assert.equal(report.attributeReports?.[0]?.attributeData?.path.attributeId, 2);
  assert.equal(report.attributeReports?.[1]?.attributeStatus?.status.status, 0x86);
  assert.equal(BigInt(report.eventReports?.[0]?.eventData?.eventNumber ?? -1), 4n);
  assert.equal(report.eventReports?.[0]?.eventData?.priority, 1);
  assert.equal(report.interactionModelRevision, 12);

  const sub = TlvSubscribeResponse.decode(SubscribeResponseMessage.encode({ subscriptionId: 9, maxInterval: 60 }));
  assert.equal(sub.subscriptionId, 9);
  assert.equal(sub.maxInterval, 60);

  const wr = TlvWriteResponse.decode(
    WriteResponseMessage.encode({
      writeResponses: [{ path: { endpoint: 0, cluster: 0x1f, attribute: 0 }, status: { status: 0x87 } }],
    }),
  );
  assert.equal(wr.writeResponses[0]?.status.status, 0x87);

  const ir = TlvInvokeResponse.decode(
    InvokeResponseMessage.encode({
      suppressResponse: false,
      invokeResponses: [
        {
          command: {
            path: { endpoint: 0, cluster: 0x30, command: 1 },
            fields: { tag: ANONYMOUS, type: "struct", elements: [{ tag: ctx(0), type: "uint", value: 0n }] },
          },
        },
        {
          status: { path: { endpoint: 0, cluster: 0x30, command: 4 }, status: { status: 0, clusterStatus: 3 }, ref: 1 },
        },
      ],
    }),
  );
  assert.equal(ir.invokeResponses[0]?.command?.commandPath.commandId, 1);
  assert.equal(ir.invokeResponses[1]?.status?.status.clusterStatus, 3);
  assert.equal(ir.invokeResponses[1]?.status?.commandRef, 1);

  assert.equal(TlvStatusResponse.decode(StatusResponseMessage.encode({ status: 0x7e })).status, 0x7e);
  assert.equal(TlvTimedRequest.decode(TimedRequestMessage.encode({ timeout: 3000 })).timeout, 3000);
});

test("matter.js ReportData (a chunk with a status) decodes here", () => {
  const bytes = TlvDataReport.encode({
    subscriptionId: 5,
    attributeReports: [
      {
        attributeStatus: {
          path: { endpointId: id(1), clusterId: id(6), attributeId: id(0) },
          status: { status: 0x7f },
        },
      },
    ],
    suppressResponse: true,
    interactionModelRevision: 12,
  });
  const m = ReportDataMessage.decode(bytes);
  assert.equal(m.subscriptionId, 5);
  assert.equal(m.suppressResponse, true);
  assert.deepEqual(m.attributeReports?.[0]?.attributeStatus, {
    path: { endpoint: 1, cluster: 6, attribute: 0 },
    status: { status: 0x7f },
  });
  assert.equal(WriteResponseMessage.name, "WriteResponse");
  assert.equal(StatusResponseMessage.decode(TlvStatusResponse.encode({ status: 0 as never })).status, 0);
  assert.equal(TimedRequestMessage.decode(TlvTimedRequest.encode({ timeout: 1 })).timeout, 1);
  assert.equal(
    SubscribeResponseMessage.decode(TlvSubscribeResponse.encode({ subscriptionId: 1, maxInterval: 2 })).maxInterval,
    2,
  );
});
