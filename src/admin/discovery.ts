/**
 * How the administrator finds a device on the network (Core 4.3): commissionable nodes by long or short discriminator
 * (`_matterc._udp`) and operational nodes by compressed fabric id and node id (`_matter._tcp`), over DNS-SD. The
 * browser opens on first use, so a run with a known address never binds the mDNS port.
 */
import { DnssdBrowser } from "../node/mdns/dnssd-browser.ts";
import type { UdpPeer } from "../node/udp-transport.ts";
import { AdminError } from "./admin-error.ts";

/** How long commissionable discovery waits for an answer. */
const COMMISSIONABLE_DISCOVERY_TIMEOUT_MS = 15_000;
/** How long operational discovery waits before the administrator falls back to a known address. */
const OPERATIONAL_DISCOVERY_TIMEOUT_MS = 5_000;

/** What the administrator asks of discovery. */
export interface Discovery {
  /** The address of a commissionable node with this discriminator; AdminError "admin.not-found" when none answers. */
  findCommissionable(discriminator: { readonly long: number } | { readonly short: number }): Promise<UdpPeer>;
  /** The address of an operational node, or undefined when none answers in time. */
  resolveOperational(compressedFabricId: bigint, nodeId: bigint): Promise<UdpPeer | undefined>;
  close(): Promise<void>;
}

/** Discovery over mDNS on `networkInterface` (default: every interface). */
export function dnssdDiscovery(options: { networkInterface?: string } = {}): Discovery {
  let browser: Promise<DnssdBrowser> | undefined;
  const open = () => {
    browser ??= DnssdBrowser.open(
      options.networkInterface === undefined ? {} : { interface: options.networkInterface },
    );
    return browser;
  };
  return {
    async findCommissionable(d) {
      const filter = "long" in d ? { longDiscriminator: d.long } : { shortDiscriminator: d.short };
      const found = await (await open()).findCommissionable(filter, { timeoutMs: COMMISSIONABLE_DISCOVERY_TIMEOUT_MS });
      const first = found.find((n) => n.addresses.length > 0);
      if (first === undefined) {
        const what = "long" in d ? `discriminator ${d.long}` : `short discriminator ${d.short}`;
        throw new AdminError(
          "admin.not-found",
          `no commissionable device with ${what} answered DNS-SD in ${COMMISSIONABLE_DISCOVERY_TIMEOUT_MS / 1000} s (is its commissioning window open? use --ip to give its address)`,
        );
      }
      return { address: first.addresses[0]!, port: first.port };
    },
    async resolveOperational(compressedFabricId, nodeId) {
      const found = await (await open()).resolveOperational(compressedFabricId, nodeId, {
        timeoutMs: OPERATIONAL_DISCOVERY_TIMEOUT_MS,
      });
      const address = found?.addresses[0];
      return found === undefined || address === undefined ? undefined : { address, port: found.port };
    },
    async close() {
      if (browser !== undefined) await (await browser).close();
    },
  };
}
