/**
 * A readable dump of a Matter TLV tree (what chip-cert print-tlv and print-cd show): one element per line, indented
 * by nesting depth, with its byte offset, tag, type and value.
 */
import { toHex } from "../bytes/bytes.ts";
import type { TlvNode } from "../tlv/tlv-node.ts";
import { tagToString } from "../tlv/tlv-node.ts";

/** The dump of `node`, one line per element, each ending in a newline. */
export function formatTlv(node: TlvNode): string {
  const lines: string[] = [];
  walk(node, 0, lines);
  return `${lines.join("\n")}\n`;
}

function walk(node: TlvNode, depth: number, lines: string[]): void {
  const indent = "  ".repeat(depth);
  const at = node.offset !== undefined ? `0x${node.offset.toString(16).padStart(4, "0")} ` : "";
  const tag = node.tag.form === "anonymous" ? "" : `${tagToString(node.tag)}: `;
  switch (node.type) {
    case "struct":
    case "array":
    case "list": {
      lines.push(`${at}${indent}${tag}${node.type} (${node.elements.length}) {`);
      for (const child of node.elements) walk(child, depth + 1, lines);
      lines.push(`${" ".repeat(at.length)}${indent}}`);
      return;
    }
    case "int":
    case "uint": {
      const w = node.width !== undefined ? `${node.width * 8}` : "";
      const hex = node.value >= 0n ? ` (0x${node.value.toString(16)})` : "";
      lines.push(`${at}${indent}${tag}${node.type}${w} ${node.value}${hex}`);
      return;
    }
    case "bool":
      lines.push(`${at}${indent}${tag}bool ${node.value}`);
      return;
    case "float":
      lines.push(`${at}${indent}${tag}float${(node.width ?? 8) * 8} ${node.value}`);
      return;
    case "utf8":
      lines.push(`${at}${indent}${tag}utf8 (${node.value.length}) ${JSON.stringify(node.value)}`);
      return;
    case "bytes":
      lines.push(`${at}${indent}${tag}bytes (${node.value.length}) ${toHex(node.value)}`);
      return;
    case "null":
      lines.push(`${at}${indent}${tag}null`);
      return;
  }
}
