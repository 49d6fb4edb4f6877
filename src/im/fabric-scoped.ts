/**
 * Fabric-scoped list data (Core 7.13.6 "Fabric-Scoped Data", 7.13.7 "Fabric-Sensitive Data"): filtering of the entries
 * of a list of structs by their FabricIndex field (tag 0xFE), done on TLV nodes so it works for any schema.
 */
import { InternalError } from "../bytes/errors.ts";
import { ctx, type TlvNode } from "../tlv/tlv-node.ts";

/** Context tag of the FabricIndex field of a fabric-scoped struct (Core 7.13.6). */
const FABRIC_INDEX_FIELD_ID = 0xfe;

/** The FabricIndex of one entry of a fabric-scoped list (an InternalError if the struct has none: a schema bug). */
function entryFabricIndex(entry: TlvNode, path: string): number {
  if (entry.type !== "struct")
    throw new InternalError(`${path}: fabric-scoped list entry is ${entry.type}, not a struct`);
  const field = entry.elements.find((e) => e.tag.form === "context" && e.tag.id === FABRIC_INDEX_FIELD_ID);
  if (field === undefined || field.type !== "uint")
    throw new InternalError(`${path}: fabric-scoped list entry has no FabricIndex (0xFE) field`);
  return Number(field.value);
}

function listElements(list: TlvNode, path: string): TlvNode[] {
  if (list.type !== "array" && list.type !== "list")
    throw new InternalError(`${path}: fabric-scoped attribute encodes to ${list.type}, not a list`);
  return list.elements;
}

/**
 * Applies Core 7.13.6/7.13.7 to an encoded fabric-scoped list for a reader on `accessingFabric` (0 = none):
 * fabric-filtered reads keep only the accessing fabric's entries; unfiltered reads keep all entries but omit the
 * fabric-sensitive fields of entries of other fabrics.
 */
export function filterFabricScopedList(
  list: TlvNode,
  accessingFabric: number,
  fabricFiltered: boolean,
  sensitiveFields: readonly number[],
  path: string,
): TlvNode {
  const elements = listElements(list, path);
  const out: TlvNode[] = [];
  for (const entry of elements) {
    const fi = entryFabricIndex(entry, path);
    const own = accessingFabric !== 0 && fi === accessingFabric;
    if (own) {
      out.push(entry);
    } else if (!fabricFiltered) {
      if (entry.type !== "struct") throw new InternalError(`${path}: entry is not a struct`);
      // Core 7.13.7: fabric-sensitive data of other fabrics SHALL NOT be disclosed; the entry keeps its FabricIndex.
      const kept = entry.elements.filter((e) => !(e.tag.form === "context" && sensitiveFields.includes(e.tag.id)));
      out.push({ ...entry, elements: kept });
    }
  }
  return { ...list, elements: out } as TlvNode;
}

/** The entries of the accessing fabric only (used to build the current list before an append). */
export function ownEntries(list: TlvNode, accessingFabric: number, path: string): TlvNode[] {
  return listElements(list, path).filter((e) => accessingFabric !== 0 && entryFabricIndex(e, path) === accessingFabric);
}

/**
 * Sets the FabricIndex field of a written entry to the accessing fabric (Core 7.13.6: on a write the server SHALL
 * ignore the FabricIndex the client sent and use the accessing fabric). Non-struct entries are returned unchanged so
 * that schema decoding reports them.
 */
export function withFabricIndex(entry: TlvNode, fabricIndex: number): TlvNode {
  if (entry.type !== "struct") return entry;
  const rest = entry.elements.filter((e) => !(e.tag.form === "context" && e.tag.id === FABRIC_INDEX_FIELD_ID));
  return {
    ...entry,
    elements: [...rest, { tag: ctx(FABRIC_INDEX_FIELD_ID), type: "uint", value: BigInt(fabricIndex) }],
  };
}
