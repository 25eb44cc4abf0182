import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { ROOT } from "./support/panel-process";
import { pages, routes } from "./support/app-routes";

/**
 * No page, action or API route answers without a valid session: this walks
 * every page and route file under app/ and asks each one, without cookies.
 * A route meant to be public must be listed here, on purpose.
 */
test.use({ storageState: { cookies: [], origins: [] } });

const PUBLIC_PAGES = ["/login", "/enrol"];
/**
 * next-auth's own endpoints, the sign-in options (a touch is what proves anything), enrolment by link, and
 * the up/down health check for load balancers (which says nothing else: tested below), and the Prometheus
 * metrics (no session: their own bearer token, tested below), and the language switch (a cookie; tested in
 * i18n.spec).
 */
const PUBLIC_ROUTES = [
  "/api/auth/[...nextauth]",
  "/api/webauthn/sign-in",
  "/api/webauthn/enrol",
  "/api/health",
  "/api/metrics",
  "/api/locale",
];
const SAMPLE_ID = "3f0a8c1e-5b7d-4e29-9c3a-1d2e3f4a5b6c";

const concrete = (route: string) => route.replace(/\[\.\.\.[^\]]+\]/g, "x").replace(/\[[^\]]+\]/g, SAMPLE_ID);

test("the walk finds the panel's pages and API routes", () => {
  expect(pages).toEqual(expect.arrayContaining(["/", "/hosts", "/operators", "/operators/[id]", "/keys", "/login"]));
  expect(routes.map((r) => r.route)).toEqual(expect.arrayContaining(["/api/webauthn/step-up", "/api/webauthn/keys"]));
  for (const p of PUBLIC_PAGES) expect(pages).toContain(p);
  for (const r of PUBLIC_ROUTES) expect(routes.map((x) => x.route)).toContain(r);
});

test("every other page sends a visitor without a session to the sign-in page", async ({ request }) => {
  const protectedPages = pages.filter((p) => !PUBLIC_PAGES.includes(p));
  expect(protectedPages.length).toBeGreaterThan(8);
  for (const route of protectedPages) {
    const response = await request.get(concrete(route), { maxRedirects: 0 });
    expect(`${route} → ${response.status()} ${response.headers().location ?? ""}`).toMatch(/→ 307 \/login$/);
  }
});

test("every other API route answers 401 to every method it has, even from the panel's own origin", async ({
  request,
  baseURL,
}) => {
  const protectedRoutes = routes.filter((r) => !PUBLIC_ROUTES.includes(r.route));
  expect(protectedRoutes.length).toBeGreaterThan(1);
  for (const { route, methods } of protectedRoutes) {
    expect(methods.length).toBeGreaterThan(0);
    for (const method of methods) {
      const response = await request.fetch(concrete(route), {
        method,
        headers: { Origin: baseURL!, "Content-Type": "application/json" },
        data: method === "GET" ? undefined : { action: "key.add", params: {}, stepUp: "{}" },
        maxRedirects: 0,
      });
      expect(`${method} ${route} → ${response.status()}`).toBe(`${method} ${route} → 401`);
      expect(await response.json()).toMatchObject({ code: "unauthenticated" });
    }
  }
});

test("the health check answers without a session, and says only up or down", async ({ request }) => {
  const response = await request.get("/api/health");
  expect(response.status()).toBe(200);
  expect(await response.json()).toEqual({ status: "up" });
  expect(response.headers()["cache-control"]).toBe("no-store");
});

test("the metrics answer Prometheus's bearer token only", async ({ request }) => {
  const token = process.env.E2E_METRICS_TOKEN!;
  const without = await request.get("/api/metrics");
  expect(without.status()).toBe(401);
  expect(without.headers()["www-authenticate"]).toContain("Bearer");
  expect(await without.text()).toContain("PANEL_METRICS_TOKEN");
  const wrong = await request.get("/api/metrics", { headers: { Authorization: `Bearer ${token}x` } });
  expect(wrong.status()).toBe(401);
  const right = await request.get("/api/metrics", { headers: { Authorization: `Bearer ${token}` } });
  expect(right.status()).toBe(200);
  expect(right.headers()["content-type"]).toContain("text/plain; version=0.0.4");
  const text = await right.text();
  expect(text).toContain("# TYPE paillasse_login_failures_total counter");
  expect(text).toMatch(/^paillasse_host_reachable\{host="[^"]+"\} [01]$/m);
  expect(text).not.toContain(token);
});

test("each request gets an id, sent back and found in the panel's JSON log, whose URLs carry no query string", async ({
  request,
}) => {
  const response = await request.get("/enrol?token=zz-not-for-the-log-zz");
  const reqId = response.headers()["x-request-id"]!;
  expect(reqId).toMatch(/^[0-9a-f-]{36}$/);
  const logFile = path.join(ROOT, "test-results", "e2e-panel.log");
  const line = async () =>
    readFileSync(logFile, "utf8")
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.reqId === reqId && l.msg === "request");
  await expect.poll(line).toMatchObject({ level: "info", method: "GET", path: "/enrol", status: 200 });
  expect(readFileSync(logFile, "utf8")).not.toContain("zz-not-for-the-log-zz");
  // A request id made up by a client (not a trusted proxy) is not taken.
  const forged = await request.get("/api/health", { headers: { "X-Request-Id": "forged-request-id-1234" } });
  expect(forged.headers()["x-request-id"]).not.toBe("forged-request-id-1234");
});
