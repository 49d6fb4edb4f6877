/**
 * The Matter TLV element model (Core spec Appendix A): tags, element types and the in-memory tree that the
 * strict decoder produces and the encoder consumes.
 */

/** A TLV tag (Core A.7.2): anonymous, context-specific (1 B), common-profile or implicit-profile (2/4 B), fully qualified (6/8 B). */
export type TlvTag =
  | { readonly form: "anonymous" }
  | { readonly form: "context"; readonly id: number }
  | { readonly form: "common"; readonly id: number }
  | { readonly form: "implicit"; readonly id: number }
  | { readonly form: "qualified"; readonly vendorId: number; readonly profileNum: number; readonly id: number };

/** The anonymous tag (tag control 0). */
export const ANONYMOUS: TlvTag = Object.freeze({ form: "anonymous" });

/** A context-specific tag; `id` must be 0..255. */
export function ctx(id: number): TlvTag {
  if (!Number.isInteger(id) || id < 0 || id > 0xff) throw new RangeError(`context tag out of range: ${id}`);
  return { form: "context", id };
}

/** A common-profile tag (profile 0, vendor 0); `id` must be 0..0xFFFFFFFF. */
export function commonTag(id: number): TlvTag {
  if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw new RangeError(`common tag out of range: ${id}`);
  return { form: "common", id };
}

/** A fully-qualified tag (vendor id, profile number and tag number). */
export function qualifiedTag(vendorId: number, profileNum: number, id: number): TlvTag {
  if (!Number.isInteger(vendorId) || vendorId < 0 || vendorId > 0xffff) throw new RangeError(`vendor id: ${vendorId}`);
  if (!Number.isInteger(profileNum) || profileNum < 0 || profileNum > 0xffff)
    throw new RangeError(`profile number: ${profileNum}`);
  if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw new RangeError(`tag number: ${id}`);
  return { form: "qualified", vendorId, profileNum, id };
}

/** Integer width on the wire, in bytes. */
export type TlvIntWidth = 1 | 2 | 4 | 8;

/** One TLV element. `width` on decode is the wire width; on encode, absent means the minimal width. */
export type TlvNode = { readonly tag: TlvTag; readonly offset?: number /* set by the decoder */ } & (
  | { type: "int"; value: bigint; width?: TlvIntWidth }
  | { type: "uint"; value: bigint; width?: TlvIntWidth }
  | { type: "bool"; value: boolean }
  | { type: "float"; value: number; width?: 4 | 8 }
  | { type: "utf8"; value: string }
  | { type: "bytes"; value: Uint8Array }
  | { type: "null" }
  | { type: "struct" | "array" | "list"; elements: TlvNode[] }
);

/** Tag control field of the control octet, already shifted right by 5 (Core A.7.2). */
export const TlvTagControl = {
  Anonymous: 0,
  Context: 1,
  Common2: 2,
  Common4: 3,
  Implicit2: 4,
  Implicit4: 5,
  Qualified6: 6,
  Qualified8: 7,
} as const;
/** A value of TlvTagControl. */
export type TlvTagControl = (typeof TlvTagControl)[keyof typeof TlvTagControl];

/** Default container nesting limit of the decoder: deep enough for every Matter message and certificate (they nest <= 10). */
export const MAX_TLV_DEPTH = 32;

/** True when both tags are the same tag. */
export function tagEquals(a: TlvTag, b: TlvTag): boolean {
  if (a.form !== b.form) return false;
  if (a.form === "anonymous" || b.form === "anonymous") return true;
  if (a.id !== b.id) return false;
  if (a.form === "qualified" && b.form === "qualified") {
    return a.vendorId === b.vendorId && a.profileNum === b.profileNum;
  }
  return true;
}

/** A short, stable text form of a tag used in error paths: `3` for context 3, `common:5`, `implicit:5`, `fff1:deed:1`, `anon`. */
export function tagToString(tag: TlvTag): string {
  switch (tag.form) {
    case "anonymous":
      return "anon";
    case "context":
      return String(tag.id);
    case "common":
      return `common:${tag.id}`;
    case "implicit":
      return `implicit:${tag.id}`;
    case "qualified":
      return `${tag.vendorId.toString(16)}:${tag.profileNum.toString(16)}:${tag.id}`;
  }
}
