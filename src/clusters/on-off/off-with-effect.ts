/**
 * OffWithEffect (0x40) (Application Cluster spec 1.5.7.4), answered with a status: stores the global scene when
 * GlobalSceneControl is TRUE, renders the effect if the light was on, then turns off.
 *
 * ```
 * OffWithEffect ::= STRUCTURE { EffectIdentifier [0] : enum8, EffectVariant [1] : enum8 }
 * ```
 */

import { ImStatus } from "../../fabric/status-codes.ts";
import type { CommandDefinition } from "../../im/data-model.ts";
import { type TlvType, tlvEnum8, tlvField, tlvStruct } from "../../tlv/tlv-schema.ts";
import { DelayedAllOffEffectVariant, DyingLightEffectVariant, EffectIdentifier } from "./on-off-data-types.ts";
import { ON_OFF_SUCCESS, OnOffCluster, type OnOffEnv } from "./on-off-options.ts";

/** OffWithEffect { 0 EffectIdentifier enum8, 1 EffectVariant enum8 } (1.5.7.4). */
export const OffWithEffectRequest = tlvStruct({
  effectIdentifier: tlvField(0, tlvEnum8),
  effectVariant: tlvField(1, tlvEnum8),
});

/** The OffWithEffect command. */
export function offWithEffectCommand(env: OnOffEnv): CommandDefinition<TlvType<typeof OffWithEffectRequest>> {
  return OnOffCluster.command("OffWithEffect", "O", {
    requestSchema: OffWithEffectRequest,
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
      if (env.globalSceneControl) {
        env.options.scenes?.storeGlobalScene(ctx.session.fabricIndex);
        env.setGlobalSceneControl(false);
      }
      // The effect is rendered only when the light was on (SDK).
      if (env.onOff) env.options.onOffWithEffect?.(effect, variant);
      env.off();
      return ON_OFF_SUCCESS;
    },
  });
}
