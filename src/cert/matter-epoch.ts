/**
 * Matter epoch time (Core spec 3.5.6.1 / 6.5.6): certificate validity is stored as uint32 seconds since
 * 2000-01-01T00:00:00Z, and NotAfter 0 means "no well-defined expiration" (X.509 `99991231235959Z`).
 */
import { MalformedError } from "../bytes/errors.ts";
import { derTimeOfSeconds } from "../der/der-writer.ts";

/** Unix seconds of the Matter epoch, 2000-01-01T00:00:00Z. */
export const MATTER_EPOCH_UNIX_S = 946_684_800;

/** Largest Matter-epoch value a certificate can carry (uint32 seconds). */
export const MAX_MATTER_EPOCH_S = 0xffff_ffff;

/** Matter time 0: in NotAfter, "no well-defined expiration"; converted to X.509 `99991231235959Z` (Core spec 6.5.6). */
export const NO_WELL_DEFINED_EXPIRATION_S = 0;

/** The X.509 GeneralizedTime that Matter time 0 maps to. */
const X509_NO_WELL_DEFINED_EXPIRATION: Date = new Date(Date.UTC(9999, 11, 31, 23, 59, 59));

/** The first year X.509 (RFC 5280 4.1.2.5) encodes as GeneralizedTime instead of UTCTime. */
const GENERALIZED_TIME_FROM_YEAR = 2050;

/** The instant `seconds` after the Matter epoch. */
export function matterEpochToDate(seconds: number): Date {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_MATTER_EPOCH_S) {
    throw new RangeError(`Matter epoch seconds out of range: ${seconds}`);
  }
  return new Date((MATTER_EPOCH_UNIX_S + seconds) * 1000);
}

/** Whole Matter-epoch seconds of `date` (sub-second parts truncated); a date outside the uint32 range is a RangeError. */
export function dateToMatterEpoch(date: Date): number {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new RangeError("invalid Date");
  const seconds = Math.floor(ms / 1000) - MATTER_EPOCH_UNIX_S;
  if (seconds < 0 || seconds > MAX_MATTER_EPOCH_S) throw new RangeError(`${date.toISOString()} is outside Matter time`);
  return seconds;
}

/** How a Matter certificate time appears in X.509: the instant and the ASN.1 time type RFC 5280 mandates for it. */
export type X509Time = { readonly form: "utc" | "generalized"; readonly date: Date };

/** The X.509 form of a certificate time: 0 -> GeneralizedTime 99991231235959Z, years < 2050 -> UTCTime, else GeneralizedTime. */
export function matterTimeToX509(seconds: number): X509Time {
  if (seconds === NO_WELL_DEFINED_EXPIRATION_S) return { form: "generalized", date: X509_NO_WELL_DEFINED_EXPIRATION };
  const date = matterEpochToDate(seconds);
  return { form: date.getUTCFullYear() < GENERALIZED_TIME_FROM_YEAR ? "utc" : "generalized", date };
}

/** Unix seconds of 2050-01-01T00:00:00Z, the first instant X.509 encodes as GeneralizedTime. */
const GENERALIZED_TIME_FROM_UNIX_S = 2_524_608_000;
/** Unix seconds of 9999-12-31T23:59:59Z. */
const NO_WELL_DEFINED_EXPIRATION_UNIX_S = 253_402_300_799;

/** The DER `Time` element of a certificate time, as `matterTimeToX509` describes it, without building a Date. */
export function matterTimeToDer(seconds: number): Uint8Array {
  if (seconds === NO_WELL_DEFINED_EXPIRATION_S)
    return derTimeOfSeconds(NO_WELL_DEFINED_EXPIRATION_UNIX_S, "generalized");
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_MATTER_EPOCH_S) {
    throw new RangeError(`Matter epoch seconds out of range: ${seconds}`);
  }
  const unix = MATTER_EPOCH_UNIX_S + seconds;
  return derTimeOfSeconds(unix, unix < GENERALIZED_TIME_FROM_UNIX_S ? "utc" : "generalized");
}

/**
 * The Matter time of an X.509 time, rejecting any form that would not convert back byte-exact: GeneralizedTime before
 * 2050, times before the Matter epoch (or exactly at it, which would read back as 0), after the uint32 range, or with
 * fractional seconds.
 */
export function x509TimeToMatter(time: X509Time, path: string): number {
  const ms = time.date.getTime();
  if (time.form === "generalized" && ms === X509_NO_WELL_DEFINED_EXPIRATION.getTime())
    return NO_WELL_DEFINED_EXPIRATION_S;
  const year = time.date.getUTCFullYear();
  if (time.form === "generalized" && year < GENERALIZED_TIME_FROM_YEAR) {
    throw new MalformedError("cert.time-form", `GeneralizedTime used for year ${year} (< 2050)`, { path });
  }
  if (time.form === "utc" && year >= GENERALIZED_TIME_FROM_YEAR) {
    throw new MalformedError("cert.time-form", `UTCTime cannot hold year ${year}`, { path });
  }
  if (ms % 1000 !== 0) throw new MalformedError("cert.time-range", "fractional seconds", { path });
  const seconds = ms / 1000 - MATTER_EPOCH_UNIX_S;
  if (seconds <= 0 || seconds > MAX_MATTER_EPOCH_S) {
    throw new MalformedError("cert.time-range", `${time.date.toISOString()} is outside Matter time`, { path });
  }
  return seconds;
}
