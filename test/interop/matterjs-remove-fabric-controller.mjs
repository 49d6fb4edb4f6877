// Audit helper (issue 5): a matter.js controller process that reconnects over CASE to the node already commissioned in
// CTRL_STORAGE and invokes OperationalCredentials.RemoveFabric(CurrentFabricIndex) itself through a plain ClusterClient,
// so that the NOCResponse must arrive (matter.js's removeNode() would accept a lost response, or skip the command).
// Prints "RESULT removeFabric {json}"; exit 0 only when a NOCResponse with StatusCode OK came back.
import { Environment } from "@matter/main";
import { OperationalCredentials } from "@matter/main/clusters";
import { EndpointNumber } from "@matter/main/types";
import { CommissioningController } from "@project-chip/matter.js";
import { ClusterClient } from "@project-chip/matter.js/cluster";

const environment = Environment.default;
environment.vars.set("storage.path", process.env.CTRL_STORAGE);
const controller = new CommissioningController({
  environment: { environment, id: "controller" },
  autoConnect: false,
  adminFabricLabel: "peer-matterjs",
});
await controller.start();
const nodeId = controller.getCommissionedNodes()[0];
const oc = ClusterClient(OperationalCredentials, EndpointNumber(0), await controller.createInteractionClient(nodeId));
const fabricIndex = await oc.getCurrentFabricIndexAttribute(true);
let outcome;
try {
  const response = await oc.commands.removeFabric({ fabricIndex });
  outcome = { received: true, fabricIndex, statusCode: response.statusCode, responseFabricIndex: response.fabricIndex };
} catch (error) {
  outcome = { received: false, fabricIndex, error: String(error) };
}
console.log(`RESULT removeFabric ${JSON.stringify(outcome)}`);
await controller.close().catch(() => {});
process.exit(outcome.received && outcome.statusCode === 0 ? 0 : 1);
