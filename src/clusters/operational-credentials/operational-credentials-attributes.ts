/**
 * The six attributes of the Node Operational Credentials cluster (Core spec 11.18.5; conformance §0.2). They read the
 * fabric table as reads must show it: a pending added fabric included, pending updated values applied.
 */

import { Privilege } from "../../fabric/access-control.ts";
import type { AttributeDefinition } from "../../im/data-model.ts";
import { tlvArray, tlvBytes, tlvUInt8 } from "../../tlv/tlv-schema.ts";
import { FabricDescriptorStruct, fabricDescriptorOf } from "./fabric-descriptor-struct.ts";
import { NocStruct, nocStructOf } from "./noc-struct.ts";
import { MAX_CERT_TLV_BYTES } from "./operational-credentials-limits.ts";
import { OperationalCredentialsCluster, type OperationalCredentialsEnv } from "./operational-credentials-options.ts";

/** The attribute definitions, in id order. */
// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list; each element is typed where it is defined.
export function operationalCredentialsAttributes(env: OperationalCredentialsEnv): AttributeDefinition<any>[] {
  const { fabrics } = env;
  return [
    OperationalCredentialsCluster.attribute("NOCs", {
      schema: tlvArray(NocStruct),
      // §0.2: NOCs is readable only with Administer; quality "C" (changes omitted).
      readPrivilege: Privilege.Administer,
      fabricScoped: true,
      // [DIFF] Matter 1.4.2: NOC and ICAC are no longer fabric-sensitive (TC_OPCREDS_3_8 step 2 reads every fabric's
      // NOC unfiltered). The target is 1.4.2/1.5, so no field is withheld from other fabrics.
      fabricSensitiveFields: [],
      changesOmitted: true,
      read: () => fabrics.fabrics().map(nocStructOf),
    }),
    OperationalCredentialsCluster.attribute("Fabrics", {
      schema: tlvArray(FabricDescriptorStruct),
      readPrivilege: Privilege.View,
      fabricScoped: true,
      // §0.2: no field is fabric-sensitive (TC_OPCREDS_3_1 step 48).
      fabricSensitiveFields: [],
      read: () => fabrics.fabrics().map(fabricDescriptorOf),
    }),
    OperationalCredentialsCluster.attribute("SupportedFabrics", {
      schema: tlvUInt8,
      readPrivilege: Privilege.View,
      read: () => fabrics.supportedFabrics,
    }),
    OperationalCredentialsCluster.attribute("CommissionedFabrics", {
      schema: tlvUInt8,
      readPrivilege: Privilege.View,
      // The SDK's FabricCount(): a pending added fabric counts (it is visible in Fabrics too).
      read: () => fabrics.fabricCount(),
    }),
    OperationalCredentialsCluster.attribute("TrustedRootCertificates", {
      schema: tlvArray(tlvBytes({ maxLength: MAX_CERT_TLV_BYTES })),
      readPrivilege: Privilege.View,
      // §6 item 7: every fabric's RCAC (duplicates kept) plus the pending root not yet bound by AddNOC.
      read: () => fabrics.trustedRoots(),
    }),
    OperationalCredentialsCluster.attribute("CurrentFabricIndex", {
      schema: tlvUInt8,
      readPrivilege: Privilege.View,
      // §0.2: the accessing fabric index; 0 over a PASE session before AddNOC.
      read: (ctx) => ctx.session.fabricIndex,
    }),
  ];
}
