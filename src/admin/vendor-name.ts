/**
 * How the administrator shows a vendor id to a person (Core 2.5.2 and the CSA's vendor id list): the test vendor
 * ids 0xFFF1-0xFFF4 as "test vendor", never as a company; 0 as "unknown"; a few ecosystems by name; anything else
 * as its number.
 */

/** The test vendor ids (Core 2.5.2: reserved for development and testing). */
const TEST_VENDOR_IDS: readonly number[] = [0xfff1, 0xfff2, 0xfff3, 0xfff4];

/** Vendor ids of the ecosystems users meet most, from the CSA's published vendor list. */
const KNOWN_VENDORS = new Map<number, string>([
  [0x1349, "Apple"],
  [0x6006, "Google"],
  [0x1217, "Amazon"],
  [0x110a, "Samsung SmartThings"],
  [0x134b, "Nabu Casa (Home Assistant)"],
  [0x100b, "Signify (Philips Hue)"],
  [0x117c, "IKEA"],
  [0x130a, "Eve Systems"],
]);

/** A 16-bit id as people read it: "0x" and four uppercase hex digits ("0x8000"). */
export function hex16(value: number): string {
  return `0x${value.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** "0xFFF1 (test vendor)", "0x1349 (Apple)", "0 (unknown)" or "0x1234". */
export function vendorText(vendorId: number): string {
  if (vendorId === 0) return "0 (unknown)";
  const hex = hex16(vendorId);
  if (TEST_VENDOR_IDS.includes(vendorId)) return `${hex} (test vendor)`;
  const name = KNOWN_VENDORS.get(vendorId);
  return name === undefined ? hex : `${hex} (${name})`;
}
