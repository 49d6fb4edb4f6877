/** The full list of fuzz targets (codecs, message layer and secure channel, Interaction Model, cluster schemas). */
import type { FuzzTarget } from "./fuzz-target.ts";
import { codecTargets } from "./targets-codecs.ts";
import { commandTargets } from "./targets-commands.ts";
import { interactionModelTargets } from "./targets-interaction-model.ts";
import { secureChannelTargets } from "./targets-secure-channel.ts";

/** Every target, in a stable order; `seed` fixes the seeds found by asking the schemas. */
export async function allFuzzTargets(seed: number): Promise<FuzzTarget[]> {
  return [
    ...(await codecTargets(seed)),
    ...secureChannelTargets(seed),
    ...(await interactionModelTargets(seed)),
    ...(await commandTargets(seed)),
  ];
}
