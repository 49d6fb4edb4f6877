// A timestamping UDP relay for bench/commission.ts, run inside the benchmark's private network namespace:
// clients send to 127.0.0.1:RELAY_PORT, the relay forwards each datagram to 127.0.0.1:TARGET_PORT from one upstream
// socket per client and sends the answers back from RELAY_PORT. It records the monotonic time (process.hrtime, the
// same CLOCK_MONOTONIC in every process of the machine) and the direction of every datagram, and prints them as one
// `RELAY_LOG <json>` line when it is stopped with SIGTERM. Our own benchmark tool.
//
// Environment: RELAY_PORT (5541), TARGET_PORT (5540).
import { createSocket } from "node:dgram";

const relayPort = Number(process.env.RELAY_PORT ?? 5541);
const targetPort = Number(process.env.TARGET_PORT ?? 5540);
const host = "127.0.0.1";

/** Events: [monotonic ns as string, "c" (client to device) or "d" (device to client), datagram length]. */
const events = [];
const upstreams = new Map();
const front = createSocket("udp4");

function upstreamFor(address, port) {
  const key = `${address}:${port}`;
  let socket = upstreams.get(key);
  if (socket !== undefined) return socket;
  socket = createSocket("udp4");
  socket.on("message", (msg) => {
    events.push([process.hrtime.bigint().toString(), "d", msg.length]);
    front.send(msg, port, address);
  });
  socket.bind(0, host);
  upstreams.set(key, socket);
  return socket;
}

front.on("message", (msg, rinfo) => {
  events.push([process.hrtime.bigint().toString(), "c", msg.length]);
  upstreamFor(rinfo.address, rinfo.port).send(msg, targetPort, host);
});
front.bind(relayPort, host, () => console.log(`RELAY_READY ${relayPort}`));

process.on("SIGTERM", () => {
  process.stdout.write(`RELAY_LOG ${JSON.stringify(events)}\n`, () => process.exit(0));
});
