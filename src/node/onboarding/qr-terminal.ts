/**
 * Draws a QR code in a terminal with Unicode half blocks, two module rows per text line, inside the 4-module quiet
 * zone of ISO/IEC 18004 6.3.8. Light modules are the glyphs and dark modules the terminal background, so the code
 * reads correctly on the usual light-on-dark terminal; `invert` swaps the roles for dark-on-light terminals.
 */
import { QR_QUIET_ZONE_MODULES, type QrCode } from "./qr-code.ts";

/** Options of `renderQrForTerminal`. */
export interface QrTerminalOptions {
  /** Draw dark modules as glyphs (for terminals with dark text on a light background). Default false. */
  invert?: boolean;
}

const FULL_BLOCK = "\u2588";
const UPPER_HALF = "\u2580";
const LOWER_HALF = "\u2584";
// A space, not a braille blank: every line starts and ends with quiet-zone glyphs, so no whitespace is trimmed.
const EMPTY = " ";

/** Renders `qr` as lines of half blocks (each line ends with "\n"); the line count is ceil((size + 8) / 2). */
export function renderQrForTerminal(qr: Pick<QrCode, "size" | "modules">, options: QrTerminalOptions = {}): string {
  const { size, modules } = qr;
  if (!Number.isInteger(size) || size < 21 || modules.length !== size || modules.some((row) => row.length !== size))
    throw new RangeError(`qr-terminal: expected a ${size}x${size} module matrix`);
  const invert = options.invert === true;
  const q = QR_QUIET_ZONE_MODULES;
  const full = size + 2 * q;
  // A glyph pixel is drawn where the module is light (or dark when inverted). The quiet zone is light; the half
  // row below the last quiet-zone row (odd height) is left as background.
  const drawn = (row: number, col: number): boolean => {
    if (row >= full) return false;
    const r = row - q;
    const c = col - q;
    const dark = r >= 0 && r < size && c >= 0 && c < size ? modules[r]![c] === true : false;
    return dark === invert;
  };
  let out = "";
  for (let row = 0; row < full; row += 2) {
    for (let col = 0; col < full; col++) {
      const top = drawn(row, col);
      const bottom = drawn(row + 1, col);
      out += top ? (bottom ? FULL_BLOCK : UPPER_HALF) : bottom ? LOWER_HALF : EMPTY;
    }
    out += "\n";
  }
  return out;
}
