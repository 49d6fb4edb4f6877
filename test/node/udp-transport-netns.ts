// Runs inside `unshare -n` (a private network namespace, spawned by udp-transport.test.ts): brings up lo, binds
// transports and exchanges datagrams over ::1 and 127.0.0.1. Prints one JSON result line; exits non-zero on failure.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { MalformedError } from "../../src/bytes/errors.ts";
import { MessageCounter } from "../../src/message/message-counter.ts";
import { encodeProtocolHeader } from "../../src/message/protocol-header.ts";
import { UnsecuredSession } from "../../src/mrp/unsecured-session.ts";
import { type ReceivedDatagram, UdpTransport } from "../../src/node/udp-transport.ts";

execFileSync("ip", ["link", "set", "lo", "up"]);

const waitFor = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), "timed out waiting for datagrams");
};

const gotA: ReceivedDatagram[] = [];
const gotB: ReceivedDatagram[] = [];
const gotV6: ReceivedDatagram[] = [];
let handlerErrors = 0;
// A: the default dual-stack bind on the Matter port; B: ephemeral port, also dual stack; C: bound to ::1 only.
const a = await UdpTransport.open({ onDatagram: (d) => gotA.push(d), onError: () => handlerErrors++ });
const b = await UdpTransport.open({ port: 0, onDatagram: (d) => gotB.push(d) });
const c = await UdpTransport.open({ port: 0, address: "::1", onDatagram: (d) => gotV6.push(d) });
// D: a handler that rejects its first datagram as malformed and crashes on the second: both dropped, neither thrown.
let dCalls = 0;
const d = await UdpTransport.open({
  port: 0,
  onDatagram: () => {
    dCalls++;
    if (dCalls === 1) throw new MalformedError("message.version", "rejected by the handler");
    throw new TypeError("handler bug");
  },
  onError: () => handlerErrors++,
});
let bindInUse = "";
try {
  await UdpTransport.open({ onDatagram: () => {} });
} catch (e) {
  bindInUse = (e as NodeJS.ErrnoException).code ?? String(e);
}

const session = new UnsecuredSession({ counter: new MessageCounter("unencrypted", 1), localEphemeralNodeId: 42n });
const msg = (n: number): Uint8Array =>
  session.seal(encodeProtocolHeader({ initiator: true, reliability: false, opcode: n, exchangeId: 1, protocolId: 4 }))
    .bytes;

await b.send(msg(1), { address: "127.0.0.1", port: a.port });
await b.send(msg(2), { address: "::1", port: a.port });
await c.send(msg(3), { address: "::1", port: b.port });
// Malformed: empty, bad version, truncated header. Never thrown; counted.
await b.send(new Uint8Array(0), { address: "127.0.0.1", port: a.port });
await b.send(new Uint8Array([0x10, 0, 0, 0, 1, 0, 0, 0]), { address: "::1", port: a.port });
await b.send(new Uint8Array([0, 0, 0]), { address: "::1", port: a.port });
await b.send(msg(6), { address: "::1", port: d.port });
await b.send(msg(7), { address: "127.0.0.1", port: d.port });
await waitFor(() => a.stats.received === 5 && gotV6.length + gotB.length === 1 && d.stats.received === 2);
// A reply to where a datagram came from (IPv4 peer shown as a dotted quad) reaches the sender.
await a.send(msg(4), gotA[0]!.peer);
await waitFor(() => gotB.length === 2);

// Only literal addresses are sent to: a host name is refused by the socket (EINVAL), never looked up.
const nonLiteral: string[] = [];
for (const address of ["localhost", "example.com", "1.2.3"]) {
  try {
    await b.send(msg(8), { address, port: a.port });
    nonLiteral.push(`${address}: sent`);
  } catch (e) {
    nonLiteral.push(`${address}: ${(e as NodeJS.ErrnoException).code}`);
  }
}

const result = {
  nonLiteral,
  port: a.port,
  bindInUse,
  aFrom: gotA.map((d) => [d.peer.address, d.message.header.messageCounter, d.message.header.sourceNodeId?.toString()]),
  bFrom: gotB.map((d) => [d.peer.address, d.message.header.messageCounter]),
  aStats: a.stats,
  handlerErrors,
  dStats: d.stats,
};
await Promise.all([a.close(), b.close(), c.close(), d.close()]);
await a.close(); // idempotent
let sendAfterClose = "";
try {
  await a.send(msg(5), { address: "::1", port: 1 });
} catch (e) {
  sendAfterClose = (e as Error).name;
}
console.log(JSON.stringify({ ...result, sendAfterClose }));
