/**
 * OnWithTimedOff (0x42) (Application Cluster spec 1.5.7.6), answered with a status: a timed on or a shorter delayed
 * off, then the 1/10 s tick that counts OnTime and OffWaitTime down.
 *
 * ```
 * OnWithTimedOff ::= STRUCTURE { OnOffControl [0] : bitmap8, OnTime [1] : uint16, OffWaitTime [2] : uint16 }
 * ```
 */

import { ImStatus } from "../../fabric/status-codes.ts";
import type { CommandDefinition } from "../../im/data-model.ts";
import { type TlvType, tlvBitmap8, tlvField, tlvStruct, tlvUInt16 } from "../../tlv/tlv-schema.ts";
import { OnOffControlBitmap } from "./on-off-data-types.ts";
import { ON_OFF_SUCCESS, ON_OFF_TIME_UNTIMED, OnOffCluster, type OnOffEnv } from "./on-off-options.ts";

/** Largest OnTime / OffWaitTime an OnWithTimedOff may carry (field constraint "max 0xFFFE"). */
const MAX_ON_OFF_TIME = 0xfffe;

/** OnWithTimedOff { 0 OnOffControl bitmap8, 1 OnTime uint16, 2 OffWaitTime uint16 } (1.5.7.6). */
export const OnWithTimedOffRequest = tlvStruct({
  onOffControl: tlvField(0, tlvBitmap8),
  onTime: tlvField(1, tlvUInt16),
  offWaitTime: tlvField(2, tlvUInt16),
});

/** The OnWithTimedOff command. */
export function onWithTimedOffCommand(env: OnOffEnv): CommandDefinition<TlvType<typeof OnWithTimedOffRequest>> {
  return OnOffCluster.command("OnWithTimedOff", "O", {
    requestSchema: OnWithTimedOffRequest,
    handler: async (req, ctx) => {
      // OnTime and OffWaitTime fields: constraint "max 0xFFFE". Unknown OnOffControl bits are ignored (SDK).
      if (req.onTime > MAX_ON_OFF_TIME || req.offWaitTime > MAX_ON_OFF_TIME)
        return { status: ImStatus.CONSTRAINT_ERROR };
      // 1.5.7.6: with AcceptOnlyWhenOn set and OnOff FALSE the command SHALL be discarded (SUCCESS, as the SDK).
      if ((req.onOffControl & OnOffControlBitmap.AcceptOnlyWhenOn) !== 0 && !env.onOff) return ON_OFF_SUCCESS;
      if (env.offWaitTime > 0 && !env.onOff) {
        // Delayed off: "set OffWaitTime to the minimum of OffWaitTime and the OffWaitTime field".
        env.setOffWaitTime(Math.min(env.offWaitTime, req.offWaitTime));
      } else {
        // "In all other cases, set OnTime to the maximum of OnTime and the OnTime field, set OffWaitTime to the
        // OffWaitTime field and set OnOff to TRUE."
        env.setOnTime(Math.max(env.onTime, req.onTime));
        env.setOffWaitTime(req.offWaitTime);
        env.setGlobalSceneControl(true);
        env.setOnOffAttribute(true);
      }
      // "... the server SHALL then update these attributes every 1/10th second" (restarted from now, as the SDK).
      if (env.onTime < ON_OFF_TIME_UNTIMED && env.offWaitTime < ON_OFF_TIME_UNTIMED) env.restartTick(ctx.now);
      return ON_OFF_SUCCESS;
    },
  });
}
