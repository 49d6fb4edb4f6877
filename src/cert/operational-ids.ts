/**
 * Operational identifier ranges used in certificate subjects (Core spec 2.5.5 Node ID ranges, 6.6.2.1.2 CASE
 * Authenticated Tags): which node ids are operational, and how a 32-bit CAT splits into identifier and version.
 */

/** Smallest operational node id. */
const MIN_OPERATIONAL_NODE_ID = 0x0000_0000_0000_0001n;
/** Largest operational node id. */
const MAX_OPERATIONAL_NODE_ID = 0xffff_ffef_ffff_ffffn;
/** Subject ids 0xFFFF_FFFD_IIII_VVVV carry a CAT in their low 32 bits. */
const CAT_SUBJECT_PREFIX = 0xffff_fffd_0000_0000n;
/** Most CATs a NOC subject may carry (Core spec 6.5.6.1). */
export const MAX_CATS_PER_NOC = 3;

/** True for an operational node id (Core spec 2.5.5.1). */
export function isOperationalNodeId(id: bigint): boolean {
  return id >= MIN_OPERATIONAL_NODE_ID && id <= MAX_OPERATIONAL_NODE_ID;
}

/** The 16-bit identifier of a CAT. */
export function catIdentifier(cat: number): number {
  return (cat >>> 16) & 0xffff;
}

/** The 16-bit version of a CAT; version 0 is invalid. */
export function catVersion(cat: number): number {
  return cat & 0xffff;
}

/** True for a usable CAT: 32-bit with a non-zero version. */
export function isValidCat(cat: number): boolean {
  return Number.isInteger(cat) && cat >= 0 && cat <= 0xffff_ffff && catVersion(cat) !== 0;
}

/** True when a subject id (e.g. an ACL or CaseAdminSubject) is in the CAT range. */
export function isCatSubject(id: bigint): boolean {
  return id >> 32n === CAT_SUBJECT_PREFIX >> 32n;
}
