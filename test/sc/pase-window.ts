// A commissioning window opened with a given passcode verifier, for secure channel tests that serve PASE.
import { CommissioningWindowState, type PaseParameters } from "../../src/sc/commissioning-window-state.ts";

/** An open basic window (no timeout) whose onboarding verifier is `pase`. */
export function paseWindow(pase: PaseParameters): CommissioningWindowState {
  const window = new CommissioningWindowState(() => ({ ...pase, discriminator: 3840 }));
  window.openBasic(Number.MAX_SAFE_INTEGER);
  return window;
}
