/**
 * On/Off cluster 0x0006, revision 6 (Application Cluster spec 1.5, Matter 1.4.2 data model XML) with the Lighting (LT)
 * feature: GlobalSceneControl, OnTime/OffWaitTime with the timed on / delayed off state machine, StartUpOnOff and the
 * OffWithEffect / OnWithRecallGlobalScene / OnWithTimedOff commands. DeadFront and OffOnly are not implemented.
 * Sans-IO: the 1/10 s tick runs when the node's timer calls `timerFired(now)` at the time `onTimer` asked for.
 */
import type { Cluster } from "../../im/data-model.ts";
import { offCommand } from "./off.ts";
import { offWithEffectCommand } from "./off-with-effect.ts";
import { onCommand } from "./on.ts";
import { onOffAttributes } from "./on-off-attributes.ts";
import { OnOffCluster, OnOffEnv, type OnOffOptions } from "./on-off-options.ts";
import { onWithRecallGlobalSceneCommand } from "./on-with-recall-global-scene.ts";
import { onWithTimedOffCommand } from "./on-with-timed-off.ts";
import { toggleCommand } from "./toggle.ts";

/** Feature bits (1.5.4): only Lighting is served. */
const OnOffFeature = { Lighting: 0x01 } as const;

/** The cluster and the entry points of the node. */
export interface OnOffServer {
  readonly cluster: Cluster;
  /** The current OnOff value (the node's light and the scenes follow it; the other attributes are read as such). */
  readonly onOff: boolean;
  /** When the tick should fire next (ms), or null when the timed on / delayed off state machine is idle. */
  readonly nextTimerAt: number | null;
  /** Sets OnOff from local control (a button) with the side effects of an On or Off command. */
  setOnOff(value: boolean): void;
  /** The node's timer fired at `now`: runs every tick due by then and re-arms or stops. */
  timerFired(now: number): void;
}

/** Creates the On/Off cluster server with the Lighting feature. */
export function createOnOff(options: OnOffOptions = {}): OnOffServer {
  const env = new OnOffEnv(options);
  const cluster = OnOffCluster.server({
    featureMap: OnOffFeature.Lighting,
    changes: env.changes,
    attributes: onOffAttributes(env),
    commands: [
      offCommand(env),
      onCommand(env),
      toggleCommand(env),
      offWithEffectCommand(env),
      onWithRecallGlobalSceneCommand(env),
      onWithTimedOffCommand(env),
    ],
    events: [],
  });

  return {
    cluster,
    get onOff() {
      return env.onOff;
    },
    get nextTimerAt() {
      return env.nextTimerAt;
    },
    setOnOff: (value) => {
      if (value) env.on();
      else env.off();
    },
    timerFired: (now) => env.timerFired(now),
  };
}
