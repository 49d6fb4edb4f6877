/**
 * The pending trusted root as a certificate (conformance §1.8): the commissioning transaction holds the root
 * AddTrustedRootCertificate recorded while it is not bound to a fabric. AddNOC needs it to validate the incoming chain.
 */
import { MalformedError } from "../../bytes/errors.ts";
import type { MatterCert } from "../../cert/matter-cert.ts";
import { decodeMatterCert } from "../../cert/matter-cert-decode.ts";
import type { CommissioningTransaction } from "../../fabric/commissioning-transaction.ts";

/** The pending root recorded in this fail-safe and not yet bound by AddNOC, or undefined. */
export function pendingRootCertificate(transaction: CommissioningTransaction): MatterCert | undefined {
  const raw = transaction.unboundPendingRoot;
  if (raw === undefined) return undefined;
  try {
    return decodeMatterCert(raw);
  } catch (e) {
    // The root was validated before the table took it; failing to decode it now is storage corruption.
    if (e instanceof MalformedError) return undefined;
    throw e;
  }
}
