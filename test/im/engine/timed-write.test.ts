// Audit of issue 5 item 1 ("WriteRequest ... timed"): a Timed Request then a WriteRequest with TimedRequest=true
// writes within the timeout, answers TIMEOUT after it (value unchanged), and TIMED_REQUEST_MISMATCH when the
// WriteRequest's flag is false after a Timed Request (Core 8.7.2.2, 8.7.3.2).
import assert from "node:assert/strict";
import { test } from "node:test";
import { ImStatus } from "../../../src/fabric/status-codes.ts";
import { ImMessageType } from "../../../src/im/messages/im-message-type.ts";
import { TimedRequestMessage } from "../../../src/im/messages/timed-request-message.ts";
import { WriteRequestMessage } from "../../../src/im/messages/write-request-message.ts";
import { WriteResponseMessage } from "../../../src/im/messages/write-response-message.ts";
import { ANONYMOUS } from "../../../src/tlv/tlv-node.ts";
import { tlvUInt64 } from "../../../src/tlv/tlv-schema.ts";
import { makeNode, session, statusOf, TOY } from "./harness.ts";

const write = (value: bigint, timedRequest: boolean) =>
  WriteRequestMessage.encode({
    timedRequest,
    writeRequests: [
      { path: { endpoint: 0, cluster: TOY, attribute: 0 }, data: tlvUInt64.encodeNode(value, ANONYMOUS) },
    ],
  });

test("timed write: SUCCESS within the timeout, TIMEOUT after it, mismatch on a false flag; only the first writes", async () => {
  const { server, toy0, i0 } = makeNode();
  const timed = async (value: bigint, at: number, flag: boolean) => {
    const ex = server.openExchange(session());
    const t = await ex.onMessage(ImMessageType.TimedRequest, TimedRequestMessage.encode({ timeout: 500 }), 1000);
    assert.equal(statusOf(t.send[0]!), ImStatus.SUCCESS);
    assert.equal(t.done, false);
    return ex.onMessage(ImMessageType.WriteRequest, write(value, flag), at);
  };
  const version = i0.dataVersion;

  const ok = await timed(7n, 1500, true);
  assert.equal(ok.send[0]!.messageType, ImMessageType.WriteResponse);
  assert.deepEqual(
    WriteResponseMessage.decode(ok.send[0]!.payload).writeResponses.map((w) => w.status.status),
    [ImStatus.SUCCESS],
  );
  assert.equal(toy0.state.counter, 7n);
  assert.equal(i0.dataVersion, version + 1);

  const late = await timed(8n, 1501, true);
  assert.equal(statusOf(late.send[0]!), ImStatus.TIMEOUT);
  const unflagged = await timed(9n, 1100, false);
  assert.equal(statusOf(unflagged.send[0]!), ImStatus.TIMED_REQUEST_MISMATCH);
  assert.equal(toy0.state.counter, 7n, "neither refused write changed the value");
  assert.equal(i0.dataVersion, version + 1);
});
