/**
 * NOCResponse (Core spec 11.18.6.10; conformance §0.3, §0.4): the answer of AddNOC, UpdateNOC, UpdateFabricLabel and
 * RemoveFabric. FabricIndex is present only when StatusCode is OK, DebugText only when non-empty (SDK SendNOCResponse).
 *
 * ```
 * NOCResponse ::= STRUCTURE {
 *   StatusCode  [0] : NodeOperationalCertStatusEnum
 *   FabricIndex [1, optional] : fabric-idx
 *   DebugText   [2, optional] : string (max 128)
 * }
 * ```
 */
import { ProtocolError } from "../../bytes/errors.ts";
import type { CommandResult } from "../../im/data-model.ts";
import { isImStatus } from "../../im/status-code.ts";
import {
  type TlvType,
  tlvEnum8,
  tlvField,
  tlvOptionalField,
  tlvString,
  tlvStruct,
  tlvUIntRange,
} from "../../tlv/tlv-schema.ts";
import { NodeOperationalCertStatus } from "./node-operational-cert-status.ts";
import { MAX_DEBUG_TEXT_BYTES } from "./operational-credentials-limits.ts";
import { OperationalCredentialsCluster } from "./operational-credentials-options.ts";

/** NOCResponse schema. */
export const NocResponse = tlvStruct({
  statusCode: tlvField(0, tlvEnum8),
  fabricIndex: tlvOptionalField(1, tlvUIntRange(1, 254)),
  debugText: tlvOptionalField(2, tlvString({ maxLength: MAX_DEBUG_TEXT_BYTES })),
});
/** One NOCResponse. */
export type NocResponse = TlvType<typeof NocResponse>;

/** The response entry of a command definition that answers with NOCResponse. */
export const NOC_RESPONSE = OperationalCredentialsCluster.response("NOCResponse", NocResponse);

/** `text` cut to at most `maxBytes` UTF-8 bytes, never inside a code point. */
function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let out = "";
  for (const ch of text) {
    const n = new TextEncoder().encode(ch).length;
    if (bytes + n > maxBytes) break;
    bytes += n;
    out += ch;
  }
  return out;
}

/**
 * A NOCResponse result: `fabricIndex` is sent only with OK and `debugText` only when non-empty, cut to 128 UTF-8
 * bytes (the field is a string of at most 128 bytes; the SDK truncates).
 */
export function nocResponse(statusCode: number, fabricIndex?: number, debugText = ""): CommandResult<NocResponse> {
  const text = truncateUtf8(debugText, MAX_DEBUG_TEXT_BYTES);
  return {
    response: {
      statusCode,
      ...(statusCode === NodeOperationalCertStatus.OK && fabricIndex !== undefined ? { fabricIndex } : {}),
      ...(text.length > 0 ? { debugText: text } : {}),
    },
  };
}

/**
 * Maps an error of the fabric layer to the answer of a NOCResponse command: a cluster status becomes a NOCResponse
 * with that StatusCode and the error's stable code as DebugText (never its message, which may quote certificate
 * contents such as a subject DN); a plain IM status becomes a status response. Anything else is rethrown (→ FAILURE).
 */
export function nocResultFromError(e: unknown): CommandResult<NocResponse> {
  if (e instanceof ProtocolError) {
    if (e.clusterStatus !== undefined) return nocResponse(e.clusterStatus, undefined, e.code);
    if (isImStatus(e.status)) return { status: e.status };
  }
  throw e;
}

/** Maps an error of the fabric layer to a status-only answer (a cluster status the table attached is dropped). */
export function statusResultFromError(e: unknown): CommandResult<never> {
  if (e instanceof ProtocolError && isImStatus(e.status)) return { status: e.status };
  throw e;
}
