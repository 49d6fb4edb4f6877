/**
 * Chunking of an Invoke's responses into InvokeResponse messages under a payload budget (Core spec 8.8, chunked
 * InvokeResponseMessages with MoreChunkedMessages): every message but the last sets MoreChunkedMessages.
 */
import { encodeTlv } from "../../tlv/tlv-encoder.ts";
import { ANONYMOUS } from "../../tlv/tlv-node.ts";
import { InvokeResponseIB } from "../messages/invoke-response-ib.ts";
import { InvokeResponseMessage } from "../messages/invoke-response-message.ts";

/** Packs InvokeResponseIBs into InvokeResponse messages under the budget (MoreChunkedMessages on all but the last). */
export function chunkInvokeResponses(responses: readonly InvokeResponseIB[], budget: number): Uint8Array[] {
  const envelope = InvokeResponseMessage.encode({
    suppressResponse: false,
    invokeResponses: [],
    moreChunkedMessages: true,
  }).length;
  const groups: InvokeResponseIB[][] = [[]];
  let used = envelope;
  for (const r of responses) {
    const n = encodeTlv(InvokeResponseIB.encodeNode(r, ANONYMOUS)).length;
    if (used + n > budget && groups[groups.length - 1]!.length > 0) {
      groups.push([]);
      used = envelope;
    }
    groups[groups.length - 1]!.push(r);
    used += n;
  }
  return groups.map((g, i) =>
    InvokeResponseMessage.encode({
      suppressResponse: false,
      invokeResponses: g,
      ...(i < groups.length - 1 ? { moreChunkedMessages: true } : {}),
    }),
  );
}
