/**
 * The host's network interfaces as General Diagnostics NetworkInterfaces (Core spec 11.12.6.1): the device node serves
 * them in the General Diagnostics cluster's NetworkInterfaces attribute.
 */
import { networkInterfaces } from "node:os";
import { InterfaceType, type NetworkInterfaceStruct } from "../clusters/general-diagnostics/general-diagnostics.ts";

const ipBytes = (address: string, family: "IPv4" | "IPv6"): Uint8Array | undefined => {
  if (family === "IPv4") {
    const parts = address.split(".").map(Number);
    return parts.length === 4 ? new Uint8Array(parts) : undefined;
  }
  const [head = "", tail = ""] = address.split("%")[0]!.split("::");
  const h = head === "" ? [] : head.split(":");
  const t = tail === "" ? [] : tail.split(":");
  const groups = address.includes("::") ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t] : h;
  if (groups.length !== 8) return undefined;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = Number.parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
};

/** The host's interfaces as General Diagnostics NetworkInterfaces (at most 8; Core 11.12.6.1). */
export function hostNetworkInterfaces(): NetworkInterfaceStruct[] {
  return Object.entries(networkInterfaces())
    .slice(0, 8)
    .map(([name, addrs = []]) => {
      const mac = (addrs[0]?.mac ?? "00:00:00:00:00:00").split(":").map((x) => Number.parseInt(x, 16));
      const v4 = addrs.filter((a) => a.family === "IPv4").map((a) => ipBytes(a.address, "IPv4"));
      const v6 = addrs.filter((a) => a.family === "IPv6").map((a) => ipBytes(a.address, "IPv6"));
      return {
        name: name.slice(0, 32),
        isOperational: addrs.length > 0,
        offPremiseServicesReachableIPv4: null,
        offPremiseServicesReachableIPv6: null,
        hardwareAddress: new Uint8Array(mac.length === 6 ? mac : [0, 0, 0, 0, 0, 0]),
        iPv4Addresses: v4.filter((a): a is Uint8Array => a !== undefined).slice(0, 4),
        iPv6Addresses: v6.filter((a): a is Uint8Array => a !== undefined).slice(0, 8),
        type: name === "lo" ? InterfaceType.Unspecified : InterfaceType.Ethernet,
      };
    });
}
