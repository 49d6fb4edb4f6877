/**
 * chip-cert's validity period: `--valid-from` (default: today 00:00:00 UTC) and `--lifetime` in whole days, where
 * NotAfter is the last second of the period and 4294967295 days means "no well-defined expiration".
 */

/** Lifetime value chip-cert reads as "no well-defined expiration". */
export const NO_EXPIRATION_LIFETIME_DAYS = 0xffff_ffff;

const DAY_MS = 86_400_000;

/** NotBefore / NotAfter for `lifetimeDays` from `validFrom` (or today at midnight UTC); undefined NotAfter = never. */
export function validityPeriod(
  now: Date,
  validFrom: Date | undefined,
  lifetimeDays: number,
): { notBefore: Date; notAfter?: Date } {
  const notBefore = validFrom ?? new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);
  if (lifetimeDays === NO_EXPIRATION_LIFETIME_DAYS) return { notBefore };
  return { notBefore, notAfter: new Date(notBefore.getTime() + lifetimeDays * DAY_MS - 1000) };
}
