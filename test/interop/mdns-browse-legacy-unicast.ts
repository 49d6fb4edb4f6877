// Audit helper (issue 5 item 4), run inside a multicast-capable namespace by matterjs-removes-last-fabric.test.ts: asks the
// DNS-SD service names given as arguments with legacy unicast mDNS PTR queries (RFC 6762 6.7) and prints one JSON
// line {name: [instance names]}; a name nobody answers within the wait maps to [].
import dgram from "node:dgram";
import { decodeMessage, encodeQuery, RR_TYPE } from "../node/mdns/dns-message.ts";

const WAIT_MS = 1500;
let queryId = 0x3100;

async function browse(service: string): Promise<string[]> {
  const id = ++queryId;
  const q = encodeQuery([service], RR_TYPE.PTR);
  q[0] = id >> 8;
  q[1] = id & 0xff;
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((r) => socket.bind(0, "127.0.0.1", r));
  try {
    return await new Promise<string[]>((done) => {
      const timer = setTimeout(() => done([]), WAIT_MS);
      socket.on("message", (m) => {
        const msg = decodeMessage(m);
        if (msg.id !== id) return;
        clearTimeout(timer);
        done(
          msg.records
            .filter((r) => r.type === RR_TYPE.PTR && r.name.toLowerCase() === service.toLowerCase())
            .map((r) => r.data as string)
            .sort(),
        );
      });
      socket.send(q, 5353, "224.0.0.251");
    });
  } finally {
    socket.close();
  }
}

const out: Record<string, string[]> = {};
for (const service of process.argv.slice(2)) out[service] = await browse(service);
console.log(JSON.stringify(out));
