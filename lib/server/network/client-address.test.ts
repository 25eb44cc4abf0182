import { describe, expect, it } from "vitest";
import { checkClient, parseCidrs, resolveClientAddress } from "./client-address";

const vpn = parseCidrs(["10.8.0.0/16", "127.0.0.0/8", "::1/128"]);
const proxies = parseCidrs(["192.168.10.5"]);
const options = { trustedNetworks: vpn, trustedProxies: proxies };

describe("trusted networks", () => {
  it("lets in addresses of the trusted networks, IPv4-mapped IPv6 included", () => {
    expect(checkClient("10.8.3.4", undefined, options)).toMatchObject({ allow: true, client: "10.8.3.4" });
    expect(checkClient("::ffff:127.0.0.1", undefined, options)).toMatchObject({ allow: true, client: "127.0.0.1" });
    expect(checkClient("::1", undefined, options).allow).toBe(true);
  });

  it("refuses everyone else, and garbage", () => {
    expect(checkClient("10.9.0.1", undefined, options)).toMatchObject({ allow: false, client: "10.9.0.1" });
    expect(checkClient("2001:db8::1", undefined, options).allow).toBe(false);
    expect(checkClient(undefined, undefined, options)).toMatchObject({ allow: false, client: null });
    expect(checkClient("not-an-ip", undefined, options).allow).toBe(false);
  });

  it("ignores X-Forwarded-For from a client that is not a trusted proxy", () => {
    expect(checkClient("203.0.113.7", "10.8.0.1", options)).toMatchObject({ allow: false, client: "203.0.113.7" });
  });

  it("believes a trusted proxy: the rightmost untrusted hop is the client", () => {
    expect(checkClient("192.168.10.5", "10.8.1.1", options)).toMatchObject({ allow: true, client: "10.8.1.1" });
    // A client cannot prepend its way in: only the hop the proxy added counts.
    expect(checkClient("192.168.10.5", "10.8.1.1, 203.0.113.9", options)).toMatchObject({
      allow: false,
      client: "203.0.113.9",
    });
    expect(resolveClientAddress("192.168.10.5", "10.8.1.1, 192.168.10.5", proxies)?.toString()).toBe("10.8.1.1");
    expect(checkClient("192.168.10.5", "10.8.1.1, garbage", options)).toMatchObject({ allow: false, client: null });
  });

  it("believes X-Forwarded-* headers from a trusted proxy only", () => {
    expect(checkClient("192.168.10.5", "10.8.1.1", options).viaTrustedProxy).toBe(true);
    expect(checkClient("::ffff:192.168.10.5", undefined, options).viaTrustedProxy).toBe(true);
    expect(checkClient("10.8.3.4", "192.168.10.5", options).viaTrustedProxy).toBe(false);
    expect(checkClient(undefined, undefined, options).viaTrustedProxy).toBe(false);
  });

  it("a proxy without X-Forwarded-For is judged by its own address", () => {
    expect(checkClient("192.168.10.5", undefined, options)).toMatchObject({ allow: false, client: "192.168.10.5" });
  });
});
