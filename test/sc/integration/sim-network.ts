// A simulated datagram network with a virtual clock for secure channel endpoints: datagrams are delivered in order,
// a drop rule loses some, and when nothing is in flight the clock jumps to the earliest armed timer.
import { MalformedError } from "../../../src/bytes/errors.ts";
import type { Crypto } from "../../../src/crypto/crypto.ts";
import type { FabricIndex } from "../../../src/fabric/fabric-index.ts";
import { decodeMessageHeader } from "../../../src/message/message-header.ts";
import type { CaseFabricView } from "../../../src/sc/case/case-fabric.ts";
import type { ResumptionRecord } from "../../../src/sc/case/resumption-record.ts";
import type { SecureChannelEffect } from "../../../src/sc/secure-channel-effect.ts";
import { type ResumptionLookup, SecureChannelEndpoint } from "../../../src/sc/secure-channel-endpoint.ts";
import { SessionManager } from "../../../src/sc/session-manager.ts";
import type { PeerAddress } from "../../../src/sc/session-router.ts";

/** Resumption records in memory, saved from `save-resumption` effects. */
export class MemoryResumption implements ResumptionLookup {
  readonly records: ResumptionRecord[] = [];
  findById(id: Uint8Array): ResumptionRecord | undefined {
    return this.records.find((r) => r.resumptionId.every((b, i) => b === id[i]));
  }
  findByPeer(fabricIndex: FabricIndex, peerNodeId: bigint): ResumptionRecord | undefined {
    return this.records.find((r) => r.fabricIndex === fabricIndex && r.peerNodeId === peerNodeId);
  }
  save(record: ResumptionRecord): void {
    const i = this.records.findIndex((r) => r.fabricIndex === record.fabricIndex && r.peerNodeId === record.peerNodeId);
    if (i >= 0) this.records.splice(i, 1);
    this.records.push(record);
  }
}

/** One endpoint on the simulated network. */
export class SimNode {
  readonly address: PeerAddress;
  readonly sessions: SessionManager;
  readonly endpoint: SecureChannelEndpoint;
  readonly resumption = new MemoryResumption();
  /** Every effect other than sends and timers, in order. */
  readonly events: SecureChannelEffect[] = [];
  timerAt: number | undefined;
  #net: SimNetwork;

  constructor(net: SimNetwork, name: string, crypto: Crypto, caseFabrics?: CaseFabricView) {
    this.#net = net;
    this.address = { address: name, port: 5540 };
    this.sessions = new SessionManager(crypto);
    this.endpoint = new SecureChannelEndpoint({
      crypto,
      sessions: this.sessions,
      resumption: this.resumption,
      ...(caseFabrics === undefined ? {} : { caseFabrics }),
      onEffects: (effects) => this.#carryOut(effects),
    });
  }

  /** Carries out the endpoint's effects: sends go on the wire, the timer is armed, the rest is recorded. */
  #carryOut(effects: SecureChannelEffect[]): void {
    for (const fx of effects) {
      if (fx.kind === "send") this.#net.inFlight.push({ from: this.address, to: fx.to, bytes: fx.bytes });
      else if (fx.kind === "timer") this.timerAt = fx.at;
      else {
        if (fx.kind === "save-resumption") this.resumption.save(fx.record);
        this.events.push(fx);
      }
    }
  }

  /** Events of one kind. */
  of<K extends SecureChannelEffect["kind"]>(kind: K): Extract<SecureChannelEffect, { kind: K }>[] {
    return this.events.filter((e): e is Extract<SecureChannelEffect, { kind: K }> => e.kind === kind);
  }
}

/** The network: in-flight datagrams, the clock and the loss rule. */
export class SimNetwork {
  now = 1000;
  readonly nodes = new Map<string, SimNode>();
  readonly inFlight: { from: PeerAddress; to: PeerAddress; bytes: Uint8Array }[] = [];
  /** Every datagram put on the wire, in order (dropped ones included). */
  readonly log: { from: string; to: string; bytes: Uint8Array; dropped: boolean }[] = [];
  /** Loses the datagram when true; `n` counts datagrams from 0. */
  drop: (n: number, bytes: Uint8Array) => boolean = () => false;
  malformed = 0;

  /** Adds a node. */
  node(name: string, crypto: Crypto, caseFabrics?: CaseFabricView): SimNode {
    const n = new SimNode(this, name, crypto, caseFabrics);
    this.nodes.set(name, n);
    return n;
  }

  /** Delivers datagrams and fires timers until `done()` or nothing is left to do; false when it ran dry first. */
  run(done: () => boolean, maxSteps = 10_000): boolean {
    for (let i = 0; i < maxSteps; i++) {
      if (done()) return true;
      const d = this.inFlight.shift();
      if (d !== undefined) {
        const dropped = this.drop(this.log.length, d.bytes);
        this.log.push({ from: d.from.address, to: d.to.address, bytes: d.bytes, dropped });
        const target = this.nodes.get(d.to.address);
        if (dropped || target === undefined) continue;
        let decoded: ReturnType<typeof decodeMessageHeader>;
        try {
          decoded = decodeMessageHeader(d.bytes);
        } catch (e) {
          if (!(e instanceof MalformedError)) throw e;
          this.malformed++;
          continue;
        }
        target.endpoint.onMessage(this.now, decoded, d.from);
        continue;
      }
      let next: SimNode | undefined;
      for (const n of this.nodes.values()) {
        if (n.timerAt !== undefined && (next === undefined || n.timerAt < next.timerAt!)) next = n;
      }
      if (next === undefined) return done();
      this.now = Math.max(this.now, next.timerAt!);
      next.timerAt = undefined;
      next.endpoint.onTimer(this.now);
    }
    return done();
  }
}
