import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../lib/errors";
import { listTags, locateRepository } from "../../lib/server/registry/registry-client";
import { updatesFor } from "../../lib/server/registry/versions";
import { TEST_REGISTRY } from "../support/docker";

describe("registry tag lists", () => {
  let tokenServer: http.Server;
  let base = "";
  const seen: string[] = [];

  beforeAll(async () => {
    // A registry that wants a bearer token from its token service, and pages its tag list.
    tokenServer = http.createServer((req, res) => {
      const url = new URL(req.url!, base);
      seen.push(`${req.method} ${url.pathname}${url.search} ${req.headers.authorization ?? "-"}`);
      if (url.pathname === "/token") {
        const basic = `Basic ${Buffer.from("robot:s3cret").toString("base64")}`;
        if (req.headers.authorization !== basic) return void res.writeHead(401).end();
        return void res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ token: "tok-1" }));
      }
      if (req.headers.authorization !== "Bearer tok-1") {
        res.writeHead(401, {
          "WWW-Authenticate": `Bearer realm="${base}/token",service="test-registry",scope="repository:elabftw/elabimg:pull"`,
        });
        return void res.end();
      }
      if (url.pathname === "/v2/elabftw/elabimg/tags/list" && !url.searchParams.get("last")) {
        res.writeHead(200, {
          "Content-Type": "application/json",
          Link: '</v2/elabftw/elabimg/tags/list?n=2&last=5.0.4>; rel="next"',
        });
        return void res.end(JSON.stringify({ name: "elabftw/elabimg", tags: ["5.0.3", "5.0.4"] }));
      }
      if (url.pathname === "/v2/elabftw/elabimg/tags/list") {
        return void res
          .writeHead(200, { "Content-Type": "application/json" })
          .end(JSON.stringify({ name: "elabftw/elabimg", tags: ["5.1.0", "5.2.0-beta", "latest"] }));
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => tokenServer.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => tokenServer.close(() => r()));
  });

  it("reads the test registry anonymously", async () => {
    const tags = await listTags({ url: TEST_REGISTRY }, "elabftw/elabimg");
    expect(tags).toEqual(expect.arrayContaining(["5.0.4", "5.1.0", "5.1.0-fault-migration", "5.6.12"]));
    // Stable releases only: the fault variants' tags are not versions.
    expect(updatesFor("5.0.4", tags)).toEqual({ newestPatch: null, newest: "6.0.0" });
    expect(updatesFor("5.1.0", tags)).toEqual({ newestPatch: null, newest: "6.0.0" });
  });

  it("follows the token flow with credentials, and the pages", async () => {
    const tags = await listTags({ url: base, username: "robot", password: "s3cret" }, "elabftw/elabimg");
    expect(tags).toEqual(["5.0.3", "5.0.4", "5.1.0", "5.2.0-beta", "latest"]);
    expect(
      seen.some((l) =>
        l.startsWith("GET /token?service=test-registry&scope=repository%3Aelabftw%2Felabimg%3Apull Basic"),
      ),
    ).toBe(true);
  });

  it("says what went wrong: bad credentials, unknown repository, nothing listening", async () => {
    const refused = await listTags({ url: base, username: "robot", password: "wrong" }, "elabftw/elabimg").catch(
      (e) => e,
    );
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).message).toContain("token service refused access (HTTP 401)");
    const missing = await listTags({ url: TEST_REGISTRY }, "elabftw/nothing-here").catch((e) => e);
    expect((missing as AppError).message).toContain("has no repository elabftw/nothing-here");
    const dead = await listTags({ url: "http://127.0.0.1:9", timeoutMs: 2_000 }, "elabftw/elabimg").catch((e) => e);
    expect((dead as AppError).message).toContain("did not answer");
  });

  it("asks an image's own registry when its reference names one", () => {
    expect(locateRepository("registry.unit.example:5000/elabftw/elabimg", "https://registry-1.docker.io")).toEqual({
      registry: "https://registry.unit.example:5000",
      repository: "elabftw/elabimg",
    });
    expect(locateRepository("mysql", "https://registry-1.docker.io")).toEqual({
      registry: "https://registry-1.docker.io",
      repository: "library/mysql",
    });
  });
});
