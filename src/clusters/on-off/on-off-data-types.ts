/**
 * The On/Off cluster's data types (Application Cluster spec 1.5.5): StartUpOnOffEnum with the power-up rule it
 * drives (1.5.6.5), EffectIdentifierEnum with its variants, and OnOffControlBitmap.
 */

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
