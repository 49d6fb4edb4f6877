// Test support, run only inside a private network namespace (forked by mdns-netns.ts): a CiaoAdvertiser on `lo`
// driven over IPC. Messages in: {cmd: "window", params} | {cmd: "identities", ids: [cfidHex, nodeIdHex][]} | {cmd:
// "close"}; each is answered {ok: true, result?} or {ok: false, error}. After "close" the process must exit by itself.
import { CiaoAdvertiser } from "../../../src/node/mdns/ciao-advertiser.ts";
import type { CommissionableParameters } from "../../../src/node/mdns/dnssd-services.ts";

type Command =
  | { cmd: "window"; params: CommissionableParameters }
  | { cmd: "identities"; ids: [string, string][] }
  | { cmd: "close" };

// API misuse is refused before any responder exists.
const emptyInterfaces = await CiaoAdvertiser.open({ randomBytes: () => new Uint8Array(8), interfaces: [] }).then(
  () => "opened",
  (e: unknown) => (e as Error).name,
);

let next = 0xa0;
const advertiser = await CiaoAdvertiser.open({
  randomBytes: (n) => Uint8Array.from({ length: n }, () => next++ & 0xff),
  interfaces: ["lo"],
  session: { sessionIdleInterval: 5000, sessionActiveInterval: 300, sessionActiveThreshold: 4000 },
});

const send = (m: unknown): void => {
  process.send?.(m);
};

process.on("message", (m: Command) => {
  const run = async (): Promise<unknown> => {
    switch (m.cmd) {
      case "window":
        return advertiser.openCommissioningWindow(m.params);
      case "identities":
        await advertiser.setOperationalIdentities(
          m.ids.map(([c, n]) => ({ compressedFabricId: BigInt(`0x${c}`), nodeId: BigInt(`0x${n}`) })),
        );
        return advertiser.published.map((p) => p.name);
      case "close":
        await advertiser.close();
        await advertiser.close(); // idempotent
        return advertiser.openCommissioningWindow({ discriminator: 1, commissioningMode: 1 }).then(
          () => "opened after close",
          (e: unknown) => `${(e as Error).name}; published ${advertiser.published.length}`,
        );
    }
  };
  run().then(
    (result) => {
      send({ ok: true, result });
      if (m.cmd === "close") process.disconnect();
    },
    (e: unknown) => send({ ok: false, error: String(e) }),
  );
});
send({ ok: true, result: `started; empty interfaces: ${emptyInterfaces}` });
