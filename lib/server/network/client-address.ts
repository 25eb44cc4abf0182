import ipaddr from "ipaddr.js";

/**
 * Who is asking, and may they? The panel answers only clients whose address
 * is in PANEL_TRUSTED_NETWORKS (the VPN). Behind a reverse proxy listed in
 * PANEL_TRUSTED_PROXIES, the client is the rightmost X-Forwarded-For entry
 * that is not itself a trusted proxy; from anyone else, X-Forwarded-For is
 * ignored (it is just a header a client can write).
 */

export type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

export function parseCidrs(list: string[]): Cidr[] {
  return list.map((entry) => (entry.includes("/") ? ipaddr.parseCIDR(entry) : toHostCidr(entry)));
}

function toHostCidr(address: string): Cidr {
  const parsed = ipaddr.parse(address);
  return [parsed, parsed.kind() === "ipv4" ? 32 : 128];
}

/** Parse an address as Node reports it; IPv4-mapped IPv6 (::ffff:a.b.c.d) becomes IPv4. */
export function normaliseAddress(address: string | undefined | null): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (!address) return null;
  const trimmed = address
    .trim()
    .replace(/^\[|\]$/g, "")
    .replace(/%.*$/, "");
  if (!ipaddr.isValid(trimmed)) return null;
  return ipaddr.process(trimmed);
}

export function inNetworks(address: ipaddr.IPv4 | ipaddr.IPv6, networks: Cidr[]): boolean {
  return networks.some(([range, bits]) => address.kind() === range.kind() && address.match(range, bits));
}

/** The client's address: the socket peer, or what a trusted proxy says it forwarded for. */
export function resolveClientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | undefined,
  trustedProxies: Cidr[],
): ipaddr.IPv4 | ipaddr.IPv6 | null {
  let client = normaliseAddress(socketAddress);
  if (!client || !forwardedFor || !inNetworks(client, trustedProxies)) return client;
  const hops = forwardedFor
    .split(",")
    .map((h) => h.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normaliseAddress(hops[i]);
    if (!hop) return null; // a garbled chain proves nothing: refuse
    client = hop;
    if (!inNetworks(hop, trustedProxies)) break;
  }
  return client;
}

export interface Gate {
  allow: boolean;
  client: string | null;
  /** The connection comes from a trusted proxy: its X-Forwarded-* headers may be believed. */
  viaTrustedProxy: boolean;
}

export function checkClient(
  socketAddress: string | undefined,
  forwardedFor: string | undefined,
  options: { trustedNetworks: Cidr[]; trustedProxies: Cidr[] },
): Gate {
  const client = resolveClientAddress(socketAddress, forwardedFor, options.trustedProxies);
  const peer = normaliseAddress(socketAddress);
  return {
    allow: !!client && inNetworks(client, options.trustedNetworks),
    client: client?.toString() ?? null,
    viaTrustedProxy: !!peer && inNetworks(peer, options.trustedProxies),
  };
}
