/**
 * On/Off cluster 0x0006, revision 6 (Application Cluster spec 1.5, Matter 1.4.2 data model XML) with the Lighting (LT)
 * feature: GlobalSceneControl, OnTime/OffWaitTime with the timed on / delayed off state machine, StartUpOnOff and the
 * OffWithEffect / OnWithRecallGlobalScene / OnWithTimedOff commands. DeadFront and OffOnly are not implemented.
 * Sans-IO: the 1/10 s tick runs when the node's timer calls `timerFired(now)` at the time `onTimer` asked for.
 */
import { AttributeChangeEmitter, attribute, type Cluster, command, Privilege } from "../../im/data-model.ts";
import { ImStatus } from "../../im/status-code.ts";
import { tlvBitmap8, tlvBool, tlvEnum8, tlvField, tlvNullable, tlvStruct, tlvUInt16 } from "../../tlv/tlv-schema.ts";

/** Cluster id (Application Cluster spec 1.5). */
export const ON_OFF_CLUSTER_ID = 0x0006;
/** ClusterRevision in the Matter 1.4.2 data model ("Addition of OffOnly feature"). */
export const ON_OFF_REVISION = 6;
/** Feature bits (1.5.4): only Lighting is served. */
export const OnOffFeature = { Lighting: 0x01 } as const;
/** OnTime and OffWaitTime count in tenths of a second (1.5.6.3, 1.5.6.4). */
export const ON_OFF_TICK_MS = 100;
/** Largest OnTime / OffWaitTime an OnWithTimedOff may carry (field constraint "max 0xFFFE"). */
export const MAX_ON_OFF_TIME = 0xfffe;
/**
 * An OnTime or OffWaitTime attribute of 0xFFFF (only a write can set it) keeps OnWithTimedOff from starting the tick:
 * the former "null = no timed behaviour" value, as connectedhomeip still treats it.
 */
export const ON_OFF_TIME_UNTIMED = 0xffff;

/** Attribute ids (1.5.6). */
export const OnOffAttribute = {
  OnOff: 0x0000,
  GlobalSceneControl: 0x4000,
  OnTime: 0x4001,
  OffWaitTime: 0x4002,
  StartUpOnOff: 0x4003,
} as const;

/** Command ids (1.5.7); all answer with a status only. */
export const OnOffCommand = {
  Off: 0x00,
  On: 0x01,
  Toggle: 0x02,
  OffWithEffect: 0x40,
  OnWithRecallGlobalScene: 0x41,
  OnWithTimedOff: 0x42,
} as const;

/** StartUpOnOffEnum (1.5.5); null (the attribute's other value) keeps the previous OnOff. */
export const StartUpOnOff = { Off: 0, On: 1, Toggle: 2 } as const;
/** One StartUpOnOffEnum value. */
export type StartUpOnOff = (typeof StartUpOnOff)[keyof typeof StartUpOnOff];

/** EffectIdentifierEnum (1.5.5). */
export const EffectIdentifier = { DelayedAllOff: 0x00, DyingLight: 0x01 } as const;
/** One EffectIdentifierEnum value. */
export type EffectIdentifier = (typeof EffectIdentifier)[keyof typeof EffectIdentifier];
/** DelayedAllOffEffectVariantEnum (1.5.5). */
export const DelayedAllOffEffectVariant = { DelayedOffFastFade: 0x00, NoFade: 0x01, DelayedOffSlowFade: 0x02 } as const;
/** DyingLightEffectVariantEnum (1.5.5). */
export const DyingLightEffectVariant = { DyingLightFadeOff: 0x00 } as const;
/** OnOffControlBitmap (1.5.5). */
export const OnOffControlBitmap = { AcceptOnlyWhenOn: 0x01 } as const;

/** OffWithEffect { 0 EffectIdentifier enum8, 1 EffectVariant enum8 } (1.5.7.4). */
export const OffWithEffectRequest = tlvStruct({
  effectIdentifier: tlvField(0, tlvEnum8),
  effectVariant: tlvField(1, tlvEnum8),
});
/** OnWithTimedOff { 0 OnOffControl bitmap8, 1 OnTime uint16, 2 OffWaitTime uint16 } (1.5.7.6). */
export const OnWithTimedOffRequest = tlvStruct({
  onOffControl: tlvField(0, tlvBitmap8),
  onTime: tlvField(1, tlvUInt16),
  offWaitTime: tlvField(2, tlvUInt16),
});

/** The value OnOff takes at power-up (1.5.6.5): StartUpOnOff applied to the OnOff value persisted before. */
export function startUpOnOffValue(startUpOnOff: StartUpOnOff | null, previous: boolean): boolean {
  switch (startUpOnOff) {
    case StartUpOnOff.Off:
      return false;
    case StartUpOnOff.On:
      return true;
    case StartUpOnOff.Toggle:
      return !previous;
    default:
      return previous;
  }
}

/** True for a StartUpOnOffEnum value (a persisted or written value is checked with this). */
export function isStartUpOnOff(value: unknown): value is StartUpOnOff {
  return value === 0 || value === 1 || value === 2;
}

/**
 * The global scene (group 0, scene 0) of Scenes Management, which OffWithEffect stores and OnWithRecallGlobalScene
 * recalls (1.5.6.2). `fabricIndex` is the accessing fabric (0 over PASE before AddNOC).
 */
export interface GlobalSceneHooks {
  storeGlobalScene(fabricIndex: number): void;
  recallGlobalScene(fabricIndex: number): void;
}

/** What the cluster needs from the node. */
export interface OnOffOptions {
  /** OnOff at start, StartUpOnOff already applied (see `startUpOnOffValue`). Default false. */
  readonly onOff?: boolean;
  /** The persisted StartUpOnOff; default null (keep the previous value). */
  readonly startUpOnOff?: StartUpOnOff | null;
  /** Called after every change of OnOff (a command, the timer or `setOnOff`): the node drives the output and persists it. */
  readonly onChange?: (onOff: boolean) => void;
  /** Called after a write of StartUpOnOff, so the node persists it (it is non-volatile). */
  readonly onStartUpOnOffChange?: (value: StartUpOnOff | null) => void;
  /** Called whenever the 1/10 s tick must fire at `at` (ms, the invoke clock) or be cancelled (null). */
  readonly onTimer?: (at: number | null) => void;
  /** Scenes Management's global scene; absent = as the SDK without scenes (GlobalSceneControl still tracked). */
  readonly scenes?: GlobalSceneHooks;
  /** Called for an OffWithEffect received while on, with the variant mapped to a supported one, to render the effect. */
  readonly onOffWithEffect?: (effect: EffectIdentifier, variant: number) => void;
}

/** The cluster and the entry points of the node. */
export interface OnOffServer {
  readonly cluster: Cluster;
  /** The current OnOff value. */
  readonly onOff: boolean;
  readonly globalSceneControl: boolean;
  /** OnTime, in 1/10 s. */
  readonly onTime: number;
  /** OffWaitTime, in 1/10 s. */
  readonly offWaitTime: number;
  readonly startUpOnOff: StartUpOnOff | null;
  /** When the tick should fire next (ms), or null when the timed on / delayed off state machine is idle. */
  readonly nextTimerAt: number | null;
  /** Sets OnOff from local control (a button) with the side effects of an On or Off command. */
  setOnOff(value: boolean): void;
  /** The node's timer fired at `now`: runs every tick due by then and re-arms or stops. */
  timerFired(now: number): void;
}

/** Creates the On/Off cluster server with the Lighting feature. */
export function createOnOff(options: OnOffOptions = {}): OnOffServer {
  const changes = new AttributeChangeEmitter();
  let onOff = options.onOff ?? false;
  // 1.5.6.2: GlobalSceneControl defaults to TRUE; OnTime and OffWaitTime default to 0 and are not persisted.
  let globalSceneControl = true;
  let onTime = 0;
  let offWaitTime = 0;
  let startUpOnOff = options.startUpOnOff ?? null;
  let nextTimerAt: number | null = null;

  // Core 7.10.3: every change of an attribute bumps the instance's data version (ClusterInstance listens).
  const setOnOffAttribute = (value: boolean): void => {
    if (value === onOff) return;
    onOff = value;
    changes.emit(OnOffAttribute.OnOff);
    options.onChange?.(onOff);
  };
  const setGlobalSceneControl = (value: boolean): void => {
    if (value === globalSceneControl) return;
    globalSceneControl = value;
    changes.emit(OnOffAttribute.GlobalSceneControl);
  };
  const setOnTime = (value: number): void => {
    if (value === onTime) return;
    onTime = value;
    changes.emit(OnOffAttribute.OnTime);
  };
  const setOffWaitTime = (value: number): void => {
    if (value === offWaitTime) return;
    offWaitTime = value;
    changes.emit(OnOffAttribute.OffWaitTime);
  };
  const arm = (at: number | null): void => {
    if (at === nextTimerAt) return;
    nextTimerAt = at;
    options.onTimer?.(at);
  };

  // 1.5.7.2 On: OnOff TRUE; "if the value of the OnTime attribute is equal to 0, the server SHALL set the OffWaitTime
  // attribute to 0" (which ends any delayed off: the SDK stops the tick here). 1.5.6.2: a command that sets OnOff to
  // TRUE sets GlobalSceneControl to TRUE. Applied on every On, also when already on (the spec's "on receipt").
  const on = (): void => {
    if (onTime === 0) {
      setOffWaitTime(0);
      arm(null);
    }
    setGlobalSceneControl(true);
    setOnOffAttribute(true);
  };
  // 1.5.7.1 Off: OnOff FALSE and "the server SHALL set the OnTime attribute to 0" (a timed on becomes a delayed off).
  const off = (): void => {
    setOnOffAttribute(false);
    setOnTime(0);
  };

  /** One 1/10 s step of 1.5.7.6; returns whether the tick keeps running. */
  const tick = (): boolean => {
    if (onOff) {
      // "If OnOff is TRUE and OnTime is greater than zero, the server SHALL decrement OnTime. If OnTime reaches 0,
      // the server SHALL set the OffWaitTime and OnOff attributes to 0 and FALSE, respectively."
      if (onTime > 0) setOnTime(onTime - 1);
      if (onTime > 0) return true;
      setOffWaitTime(0);
      off();
      return false;
    }
    // "If OnOff is FALSE and OffWaitTime is greater than zero, the server SHALL decrement OffWaitTime. If OffWaitTime
    // reaches 0, the server SHALL terminate the update."
    if (offWaitTime > 0) setOffWaitTime(offWaitTime - 1);
    return offWaitTime > 0;
  };

  const operate = { invokePrivilege: Privilege.Operate, fabricScoped: false, timed: false } as const;
  const done = { status: ImStatus.SUCCESS } as const;

  const cluster: Cluster = {
    id: ON_OFF_CLUSTER_ID,
    name: "OnOff",
    revision: ON_OFF_REVISION,
    featureMap: OnOffFeature.Lighting,
    changes,
    attributes: [
      attribute({
        id: OnOffAttribute.OnOff,
        name: "OnOff",
        schema: tlvBool,
        readPrivilege: Privilege.View,
        read: () => onOff,
      }),
      attribute({
        id: OnOffAttribute.GlobalSceneControl,
        name: "GlobalSceneControl",
        schema: tlvBool,
        readPrivilege: Privilege.View,
        read: () => globalSceneControl,
      }),
      attribute({
        id: OnOffAttribute.OnTime,
        name: "OnTime",
        schema: tlvUInt16,
        readPrivilege: Privilege.View,
        writePrivilege: Privilege.Operate,
        read: () => onTime,
        // 1.5.6.3: "can be written at any time, but writing a value only has effect when in the Timed On state".
        write: async (value) => {
          setOnTime(value);
          return done;
        },
      }),
      attribute({
        id: OnOffAttribute.OffWaitTime,
        name: "OffWaitTime",
        schema: tlvUInt16,
        readPrivilege: Privilege.View,
        writePrivilege: Privilege.Operate,
        read: () => offWaitTime,
        write: async (value) => {
          setOffWaitTime(value);
          return done;
        },
      }),
      attribute({
        id: OnOffAttribute.StartUpOnOff,
        name: "StartUpOnOff",
        schema: tlvNullable(tlvEnum8),
        readPrivilege: Privilege.View,
        writePrivilege: Privilege.Manage,
        read: () => startUpOnOff,
        write: async (value) => {
          // A value outside StartUpOnOffEnum violates the attribute's constraint (SDK: CONSTRAINT_ERROR).
          if (value !== null && !isStartUpOnOff(value)) return { status: ImStatus.CONSTRAINT_ERROR };
          if (value !== startUpOnOff) {
            startUpOnOff = value;
            changes.emit(OnOffAttribute.StartUpOnOff);
            options.onStartUpOnOffChange?.(value);
          }
          return done;
        },
      }),
    ],
    commands: [
      command({
        id: OnOffCommand.Off,
        name: "Off",
        ...operate,
        handler: async () => {
          off();
          return done;
        },
      }),
      command({
        id: OnOffCommand.On,
        name: "On",
        ...operate,
        handler: async () => {
          on();
          return done;
        },
      }),
      command({
        id: OnOffCommand.Toggle,
        name: "Toggle",
        ...operate,
        // 1.5.7.3: Toggle behaves as On when OnOff is FALSE and as Off when it is TRUE.
        handler: async () => {
          if (onOff) off();
          else on();
          return done;
        },
      }),
      command({
        id: OnOffCommand.OffWithEffect,
        name: "OffWithEffect",
        requestSchema: OffWithEffectRequest,
        ...operate,
        handler: async (req, ctx) => {
          const effect = req.effectIdentifier;
          // An EffectIdentifier outside the enum is CONSTRAINT_ERROR (SDK).
          if (effect !== EffectIdentifier.DelayedAllOff && effect !== EffectIdentifier.DyingLight)
            return { status: ImStatus.CONSTRAINT_ERROR };
          // 1.5.7.4: a variant the server does not support is replaced by the default variant (SDK: the enum's 0).
          const known: readonly number[] = Object.values(
            effect === EffectIdentifier.DelayedAllOff ? DelayedAllOffEffectVariant : DyingLightEffectVariant,
          );
          const variant = known.includes(req.effectVariant) ? req.effectVariant : 0;
          // 1.5.7.4: "If GlobalSceneControl is TRUE, the server SHALL store its settings in its global scene then set
          // GlobalSceneControl to FALSE"; then OnOff goes FALSE as for Off.
          if (globalSceneControl) {
            options.scenes?.storeGlobalScene(ctx.session.fabricIndex);
            setGlobalSceneControl(false);
          }
          // The effect is rendered only when the light was on (SDK).
          if (onOff) options.onOffWithEffect?.(effect, variant);
          off();
          return done;
        },
      }),
      command({
        id: OnOffCommand.OnWithRecallGlobalScene,
        name: "OnWithRecallGlobalScene",
        ...operate,
        handler: async (_req, ctx) => {
          // 1.5.7.5: "If GlobalSceneControl is TRUE, the server SHALL discard the command" (SUCCESS, as the SDK).
          if (globalSceneControl) return done;
          // Otherwise recall the global scene, then turn on (which sets GlobalSceneControl to TRUE).
          options.scenes?.recallGlobalScene(ctx.session.fabricIndex);
          on();
          return done;
        },
      }),
      command({
        id: OnOffCommand.OnWithTimedOff,
        name: "OnWithTimedOff",
        requestSchema: OnWithTimedOffRequest,
        ...operate,
        handler: async (req, ctx) => {
          // OnTime and OffWaitTime fields: constraint "max 0xFFFE". Unknown OnOffControl bits are ignored (SDK).
          if (req.onTime > MAX_ON_OFF_TIME || req.offWaitTime > MAX_ON_OFF_TIME)
            return { status: ImStatus.CONSTRAINT_ERROR };
          // 1.5.7.6: with AcceptOnlyWhenOn set and OnOff FALSE the command SHALL be discarded (SUCCESS, as the SDK).
          if ((req.onOffControl & OnOffControlBitmap.AcceptOnlyWhenOn) !== 0 && !onOff) return done;
          if (offWaitTime > 0 && !onOff) {
            // Delayed off: "set OffWaitTime to the minimum of OffWaitTime and the OffWaitTime field".
            setOffWaitTime(Math.min(offWaitTime, req.offWaitTime));
          } else {
            // "In all other cases, set OnTime to the maximum of OnTime and the OnTime field, set OffWaitTime to the
            // OffWaitTime field and set OnOff to TRUE."
            setOnTime(Math.max(onTime, req.onTime));
            setOffWaitTime(req.offWaitTime);
            setGlobalSceneControl(true);
            setOnOffAttribute(true);
          }
          // "... the server SHALL then update these attributes every 1/10th second" (restarted from now, as the SDK).
          if (onTime < ON_OFF_TIME_UNTIMED && offWaitTime < ON_OFF_TIME_UNTIMED) {
            nextTimerAt = null;
            arm(ctx.now + ON_OFF_TICK_MS);
          }
          return done;
        },
      }),
    ],
    events: [],
  };

  return {
    cluster,
    get onOff() {
      return onOff;
    },
    get globalSceneControl() {
      return globalSceneControl;
    },
    get onTime() {
      return onTime;
    },
    get offWaitTime() {
      return offWaitTime;
    },
    get startUpOnOff() {
      return startUpOnOff;
    },
    get nextTimerAt() {
      return nextTimerAt;
    },
    setOnOff: (value) => {
      if (value) on();
      else off();
    },
    timerFired: (now) => {
      let at = nextTimerAt;
      if (at === null) return;
      // The node's timer is consumed; a late timer runs every tick that fell due, in order.
      nextTimerAt = null;
      while (at !== null && at <= now) at = tick() ? at + ON_OFF_TICK_MS : null;
      arm(at);
    },
  };
}
