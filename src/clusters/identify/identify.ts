/**
 * Identify cluster 0x0003, revision 5 (Application Cluster spec 1.2, Matter 1.4.2 data model XML): IdentifyTime
 * counting down once per second on the node's clock, IdentifyType, Identify, and TriggerEffect (optional in the
 * cluster, mandatory for the On/Off Light device type). Sans-IO: the node's timer calls `timerFired(now)` when asked.
 */

import { Privilege } from "../../fabric/access-control.ts";
import { ImStatus } from "../../fabric/status-codes.ts";
import { AttributeChangeEmitter, type Cluster, clusterSpec } from "../../im/data-model.ts";
import { tlvEnum8, tlvField, tlvStruct, tlvUInt16 } from "../../tlv/tlv-schema.ts";

/** IdentifyTime counts down in steps of this many milliseconds (1.2.5.1: "decrement ... every second"). */
const IDENTIFY_TICK_MS = 1000;

/** The Identify cluster (Application Cluster spec 1.2) as the Matter 1.4.2 data model defines it. */
export const IdentifyCluster = clusterSpec({
  id: 0x0003,
  name: "Identify",
  // This revision in the Matter 1.4.2 data model: "Removed Query feature".
  revision: 5,
  // Attribute ids (1.2.5).
  attributes: { IdentifyTime: 0x0000, IdentifyType: 0x0001 },
  // Command ids (1.2.6).
  commands: { Identify: 0x00, TriggerEffect: 0x40 },
  events: {},
});

/** IdentifyTypeEnum (1.2.4.1). */
export const IdentifyType = {
  None: 0x00,
  LightOutput: 0x01,
  VisibleIndicator: 0x02,
  AudibleBeep: 0x03,
  Display: 0x04,
  Actuator: 0x05,
} as const;
/** One IdentifyTypeEnum value. */
export type IdentifyType = (typeof IdentifyType)[keyof typeof IdentifyType];

/** EffectIdentifierEnum (1.2.4.2). */
export const IdentifyEffectIdentifier = {
  Blink: 0x00,
  Breathe: 0x01,
  Okay: 0x02,
  ChannelChange: 0x0b,
  FinishEffect: 0xfe,
  StopEffect: 0xff,
} as const;
/** One EffectIdentifierEnum value. */
export type IdentifyEffectIdentifier = (typeof IdentifyEffectIdentifier)[keyof typeof IdentifyEffectIdentifier];
/** EffectVariantEnum (1.2.4.3): only Default exists. */
const EffectVariant = { Default: 0x00 } as const;

/** Identify { 0 IdentifyTime uint16 } (1.2.6.1). */
export const IdentifyRequest = tlvStruct({ identifyTime: tlvField(0, tlvUInt16) });

/** TriggerEffect { 0 EffectIdentifier enum8, 1 EffectVariant enum8 } (1.2.6.2). */
export const TriggerEffectRequest = tlvStruct({
  effectIdentifier: tlvField(0, tlvEnum8),
  effectVariant: tlvField(1, tlvEnum8),
});

/** What the cluster needs from the node. */
export interface IdentifyOptions {
  /** IdentifyType (fixed); default VisibleIndicator. */
  readonly identifyType?: IdentifyType;
  /** Called when identification starts (true) or stops (false): the node drives its indicator. */
  readonly onIdentify?: (active: boolean) => void;
  /** Called whenever the countdown timer must fire at `at` (ms, the invoke/write clock) or be cancelled (null). */
  readonly onTimer?: (at: number | null) => void;
  /** Called for a TriggerEffect the node should render (the variant is already mapped to a supported one). */
  readonly onTriggerEffect?: (effect: IdentifyEffectIdentifier, variant: number) => void;
}

/** The cluster and the hook the node's timer calls. */
export interface IdentifyServer {
  readonly cluster: Cluster;
  /** IdentifyTime in seconds as of `now`. */
  identifyTime(now: number): number;
  /** When the countdown timer should fire next (ms), or null when not identifying. */
  readonly nextTimerAt: number | null;
  /** The node's timer fired at `now`: reports the new IdentifyTime and re-arms or stops. */
  timerFired(now: number): void;
  /** Starts (seconds > 0) or stops (0) identification from local control. */
  setIdentifyTime(seconds: number, now: number): void;
}

/** Creates the Identify cluster server. */
export function createIdentify(options: IdentifyOptions = {}): IdentifyServer {
  const identifyType = options.identifyType ?? IdentifyType.VisibleIndicator;
  if (!Object.values(IdentifyType).includes(identifyType)) throw new RangeError(`IdentifyType: ${identifyType}`);
  const changes = new AttributeChangeEmitter();
  /** End of identification (ms), or null when IdentifyTime is 0. */
  let deadline: number | null = null;
  /** The IdentifyTime value last reported (what the data version covers). */
  let reported = 0;
  let nextTimerAt: number | null = null;

  const remaining = (now: number): number =>
    deadline === null ? 0 : Math.max(0, Math.ceil((deadline - now) / IDENTIFY_TICK_MS));

  const schedule = (now: number): void => {
    const r = remaining(now);
    // The next whole-second step: IdentifyTime becomes r - 1 at deadline - (r - 1) s.
    const at = deadline === null || r === 0 ? null : deadline - (r - 1) * IDENTIFY_TICK_MS;
    if (at === nextTimerAt) return;
    nextTimerAt = at;
    options.onTimer?.(at);
  };

  const report = (now: number): void => {
    const r = remaining(now);
    if (r === reported) return;
    const wasActive = reported > 0;
    reported = r;
    changes.emit(IdentifyCluster.attributes.IdentifyTime);
    if (r === 0) deadline = null;
    if (wasActive !== r > 0) options.onIdentify?.(r > 0);
  };

  const set = (seconds: number, now: number): void => {
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > 0xffff) throw new RangeError(`IdentifyTime: ${seconds}`);
    // 1.2.6.1: the Identify command (and a write) sets IdentifyTime; 0 stops identification.
    deadline = seconds === 0 ? null : now + seconds * IDENTIFY_TICK_MS;
    // A re-write of the same value restarts the countdown but is no attribute change.
    report(now);
    schedule(now);
  };

  const cluster = IdentifyCluster.server({
    featureMap: 0,
    changes,
    attributes: [
      IdentifyCluster.attribute("IdentifyTime", {
        schema: tlvUInt16,
        readPrivilege: Privilege.View,
        writePrivilege: Privilege.Operate,
        read: (ctx) => remaining(ctx.now),
        write: async (value, ctx) => {
          set(value, ctx.now);
          return { status: ImStatus.SUCCESS };
        },
      }),
      IdentifyCluster.attribute("IdentifyType", {
        schema: tlvEnum8,
        readPrivilege: Privilege.View,
        read: () => identifyType,
      }),
    ],
    commands: [
      IdentifyCluster.command("Identify", "M", {
        requestSchema: IdentifyRequest,
        handler: async (req, ctx) => {
          set(req.identifyTime, ctx.now);
          return { status: ImStatus.SUCCESS };
        },
      }),
      IdentifyCluster.command("TriggerEffect", "M", {
        requestSchema: TriggerEffectRequest,
        handler: async (req) => {
          // An EffectIdentifier outside the enum is a constraint violation of the field (Core 7.19.2: enum values).
          if (!(Object.values(IdentifyEffectIdentifier) as number[]).includes(req.effectIdentifier))
            return { status: ImStatus.CONSTRAINT_ERROR };
          // 1.2.6.2: "If the server does not support the given variant, it SHALL use the default variant."
          // Default is the only variant the enum defines, so every request maps to it.
          options.onTriggerEffect?.(req.effectIdentifier as IdentifyEffectIdentifier, EffectVariant.Default);
          return { status: ImStatus.SUCCESS };
        },
      }),
    ],
    events: [],
  });

  return {
    cluster,
    identifyTime: remaining,
    get nextTimerAt() {
      return nextTimerAt;
    },
    timerFired: (now) => {
      // The node's timer is consumed: ask again even for the same instant (it may have fired early).
      nextTimerAt = null;
      report(now);
      schedule(now);
    },
    setIdentifyTime: set,
  };
}
