/**
 * What the On/Off cluster (Application Cluster spec 1.5, Lighting feature) needs from the node, its attribute and
 * command ids, and the state every attribute and command handler shares: the attributes, the On and Off rules the
 * commands have in common (1.5.7.1, 1.5.7.2) and the 1/10 s timed on / delayed off tick (1.5.7.6).
 */

import { ImStatus } from "../../fabric/status-codes.ts";
import { AttributeChangeEmitter, clusterSpec } from "../../im/data-model.ts";
import type { EffectIdentifier, StartUpOnOff } from "./on-off-data-types.ts";

/** OnTime and OffWaitTime count in tenths of a second (1.5.6.3, 1.5.6.4). */
const ON_OFF_TICK_MS = 100;
/**
 * An OnTime or OffWaitTime attribute of 0xFFFF (only a write can set it) keeps OnWithTimedOff from starting the tick:
 * the former "null = no timed behaviour" value, as connectedhomeip still treats it.
 */
export const ON_OFF_TIME_UNTIMED = 0xffff;

/** The On Off cluster (Application Cluster spec 1.5) as the Matter 1.4.2 data model defines it. */
export const OnOffCluster = clusterSpec({
  id: 0x0006,
  name: "OnOff",
  // This revision in the Matter 1.4.2 data model: "Addition of OffOnly feature".
  revision: 6,
  // Attribute ids (1.5.6).
  attributes: { OnOff: 0x0000, GlobalSceneControl: 0x4000, OnTime: 0x4001, OffWaitTime: 0x4002, StartUpOnOff: 0x4003 },
  // Command ids (1.5.7); all answer with a status only.
  commands: {
    Off: 0x00,
    On: 0x01,
    Toggle: 0x02,
    OffWithEffect: 0x40,
    OnWithRecallGlobalScene: 0x41,
    OnWithTimedOff: 0x42,
  },
  events: {},
});

/** The answer of a command or write that succeeded. */
export const ON_OFF_SUCCESS = { status: ImStatus.SUCCESS } as const;

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

/** The options plus the cluster's state, as every attribute and command handler sees them. */
export class OnOffEnv {
  readonly options: OnOffOptions;
  readonly changes = new AttributeChangeEmitter();
  #onOff: boolean;
  // 1.5.6.2: GlobalSceneControl defaults to TRUE; OnTime and OffWaitTime default to 0 and are not persisted.
  #globalSceneControl = true;
  #onTime = 0;
  #offWaitTime = 0;
  #startUpOnOff: StartUpOnOff | null;
  #nextTimerAt: number | null = null;

  constructor(options: OnOffOptions) {
    this.options = options;
    this.#onOff = options.onOff ?? false;
    this.#startUpOnOff = options.startUpOnOff ?? null;
  }

  /** OnOff. */
  get onOff(): boolean {
    return this.#onOff;
  }
  /** GlobalSceneControl. */
  get globalSceneControl(): boolean {
    return this.#globalSceneControl;
  }
  /** OnTime, in 1/10 s. */
  get onTime(): number {
    return this.#onTime;
  }
  /** OffWaitTime, in 1/10 s. */
  get offWaitTime(): number {
    return this.#offWaitTime;
  }
  /** StartUpOnOff. */
  get startUpOnOff(): StartUpOnOff | null {
    return this.#startUpOnOff;
  }
  /** When the tick should fire next (ms), or null when idle. */
  get nextTimerAt(): number | null {
    return this.#nextTimerAt;
  }

  // Core 7.10.3: every change of an attribute bumps the instance's data version (ClusterInstance listens).
  /** Sets OnOff, reporting it and telling the node. */
  setOnOffAttribute(value: boolean): void {
    if (value === this.#onOff) return;
    this.#onOff = value;
    this.changes.emit(OnOffCluster.attributes.OnOff);
    this.options.onChange?.(this.#onOff);
  }
  /** Sets GlobalSceneControl. */
  setGlobalSceneControl(value: boolean): void {
    if (value === this.#globalSceneControl) return;
    this.#globalSceneControl = value;
    this.changes.emit(OnOffCluster.attributes.GlobalSceneControl);
  }
  /** Sets OnTime. */
  setOnTime(value: number): void {
    if (value === this.#onTime) return;
    this.#onTime = value;
    this.changes.emit(OnOffCluster.attributes.OnTime);
  }
  /** Sets OffWaitTime. */
  setOffWaitTime(value: number): void {
    if (value === this.#offWaitTime) return;
    this.#offWaitTime = value;
    this.changes.emit(OnOffCluster.attributes.OffWaitTime);
  }
  /** Sets StartUpOnOff (a valid value), reporting it and telling the node to persist it. */
  setStartUpOnOff(value: StartUpOnOff | null): void {
    if (value === this.#startUpOnOff) return;
    this.#startUpOnOff = value;
    this.changes.emit(OnOffCluster.attributes.StartUpOnOff);
    this.options.onStartUpOnOffChange?.(value);
  }

  /** Asks the node to fire the tick at `at` (ms), or to cancel it (null). */
  arm(at: number | null): void {
    if (at === this.#nextTimerAt) return;
    this.#nextTimerAt = at;
    this.options.onTimer?.(at);
  }

  /** Restarts the tick from `now` (OnWithTimedOff: "update these attributes every 1/10th second"). */
  restartTick(now: number): void {
    this.#nextTimerAt = null;
    this.arm(now + ON_OFF_TICK_MS);
  }

  // 1.5.7.2 On: OnOff TRUE; "if the value of the OnTime attribute is equal to 0, the server SHALL set the OffWaitTime
  // attribute to 0" (which ends any delayed off: the SDK stops the tick here). 1.5.6.2: a command that sets OnOff to
  // TRUE sets GlobalSceneControl to TRUE. Applied on every On, also when already on (the spec's "on receipt").
  /** The On command's effect (also Toggle's, OnWithRecallGlobalScene's and local control's). */
  on(): void {
    if (this.#onTime === 0) {
      this.setOffWaitTime(0);
      this.arm(null);
    }
    this.setGlobalSceneControl(true);
    this.setOnOffAttribute(true);
  }

  /** The Off command's effect: OnOff FALSE and "the server SHALL set the OnTime attribute to 0" (1.5.7.1). */
  off(): void {
    // A timed on becomes a delayed off.
    this.setOnOffAttribute(false);
    this.setOnTime(0);
  }

  /** One 1/10 s step of 1.5.7.6; returns whether the tick keeps running. */
  #tick(): boolean {
    if (this.#onOff) {
      // "If OnOff is TRUE and OnTime is greater than zero, the server SHALL decrement OnTime. If OnTime reaches 0,
      // the server SHALL set the OffWaitTime and OnOff attributes to 0 and FALSE, respectively."
      if (this.#onTime > 0) this.setOnTime(this.#onTime - 1);
      if (this.#onTime > 0) return true;
      this.setOffWaitTime(0);
      this.off();
      return false;
    }
    // "If OnOff is FALSE and OffWaitTime is greater than zero, the server SHALL decrement OffWaitTime. If OffWaitTime
    // reaches 0, the server SHALL terminate the update."
    if (this.#offWaitTime > 0) this.setOffWaitTime(this.#offWaitTime - 1);
    return this.#offWaitTime > 0;
  }

  /** The node's timer fired at `now`: runs every tick due by then and re-arms or stops. */
  timerFired(now: number): void {
    let at = this.#nextTimerAt;
    if (at === null) return;
    // The node's timer is consumed; a late timer runs every tick that fell due, in order.
    this.#nextTimerAt = null;
    while (at !== null && at <= now) at = this.#tick() ? at + ON_OFF_TICK_MS : null;
    this.arm(at);
  }
}
