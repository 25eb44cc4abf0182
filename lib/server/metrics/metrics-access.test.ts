import { describe, expect, it } from "vitest";
import { metricsAccess } from "./metrics-access";

const token = "t".repeat(40);

describe("metrics access", () => {
  it("with a token, asks for exactly that bearer token, wherever the scrape comes from", () => {
    const config = { token, networks: ["127.0.0.0/8"] };
    expect(metricsAccess({ authorization: `Bearer ${token}`, clientIp: "10.1.2.3" }, config)).toEqual({ allow: true });
    expect(metricsAccess({ authorization: `bearer ${token}`, clientIp: null }, config)).toEqual({ allow: true });
    expect(metricsAccess({ authorization: `Bearer ${token}x`, clientIp: "127.0.0.1" }, config)).toMatchObject({
      allow: false,
      status: 401,
      message: expect.stringMatching(/^This bearer token is not the metrics token/),
    });
    expect(metricsAccess({ authorization: null, clientIp: "127.0.0.1" }, config)).toMatchObject({
      allow: false,
      status: 401,
    });
    expect(metricsAccess({ authorization: `Basic ${token}`, clientIp: "127.0.0.1" }, config)).toMatchObject({
      allow: false,
    });
  });

  it("without a token, lets in the metrics networks only", () => {
    const config = { networks: ["127.0.0.0/8", "::1/128", "10.20.0.0/16"] };
    expect(metricsAccess({ authorization: null, clientIp: "127.0.0.1" }, config)).toEqual({ allow: true });
    expect(metricsAccess({ authorization: null, clientIp: "::ffff:10.20.3.4" }, config)).toEqual({ allow: true });
    expect(metricsAccess({ authorization: null, clientIp: "10.21.0.1" }, config)).toMatchObject({
      allow: false,
      status: 403,
      message: expect.stringContaining("PANEL_METRICS_NETWORKS"),
    });
    expect(metricsAccess({ authorization: "Bearer anything", clientIp: null }, config)).toMatchObject({
      allow: false,
      status: 403,
    });
  });
});
