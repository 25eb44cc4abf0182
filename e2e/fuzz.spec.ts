import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { ROOT } from "./support/panel-process";
import { pages, routeOf, routes } from "./support/app-routes";
import { sql } from "./support/db";

/**
 * Malformed input of every kind, sent as a signed-in admin to every page with a
 * parameter, every API route and method, and every server action of the
 * build: nothing may answer 5xx, and no action may come back `internal` (an
 * error nobody meant). A clear 400/404 or a refusal is the right answer, and
 * nothing may change.
 */

/** Path segments: percent garbage, NUL, traversal, overlong, Unicode tricks, numbers, a well-formed unknown id. */
const SEGMENTS = [
  "%ff",
  "%c0%af",
  "%00",
  "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
  "x".repeat(3000),
  "%E2%80%AE%F0%9F%98%80",
  "-1",
  "1e309",
  "null",
  "3f0a8c1e-5b7d-4e29-9c3a-1d2e3f4a5b6c",
  "3F0A8C1E-5B7D-4E29-9C3A-1D2E3F4A5B6C",
  "'%20OR%201=1--",
];
const QUERIES = [
  "?x=%ff",
  "?page=-1&q=%00",
  `?q=${"a".repeat(5000)}`,
  "?from=%ff&to=not-a-date&format=%00",
  "?a[]=1&a[]=2",
  "?operator=a%00b&action=%00&instance=%01&unit=%7f&outcome=%00",
  "?before=99999999999999999999&from=2026-02-31&format=json",
  "?before=9999999999999999999&container=%00&stream=%ff&follow=%00",
];

function nested(depth: number): unknown {
  let value: unknown = "bottom";
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}
const deepJson = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;

/** Bodies for API routes: raw text, sent as JSON and as a form. */
const BODIES: string[] = [
  "",
  "not json",
  "null",
  "[]",
  "123",
  '"%ff"',
  '{"action":["key.add"],"params":"x"}',
  '{"action":"operator.invite","params":{"email":"\\u0000"}}',
  JSON.stringify({ action: "key.add", params: nested(2000) }),
  deepJson,
  JSON.stringify({ response: "x".repeat(300_000) }),
  '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}',
];

/** Values for server action arguments (what a forged request can put in the body). */
const VALUES: unknown[] = [
  null,
  0,
  -1,
  1e308,
  true,
  "",
  "%ff",
  "\u0000",
  "x".repeat(20_000),
  "../../etc/passwd",
  "3f0a8c1e-5b7d-4e29-9c3a-1d2e3f4a5b6c",
  [],
  ["3f0a8c1e-5b7d-4e29-9c3a-1d2e3f4a5b6c", "x"],
  {},
  nested(300),
];
const KEYS = [
  "instanceId",
  "hostId",
  "keyId",
  "operatorId",
  "backupId",
  "policyId",
  "unitId",
  "containerId",
  "name",
  "email",
  "role",
  "code",
  "displayName",
  "response",
  "disabled",
  "to",
  "targetTag",
  "kind",
  "address",
  "port",
  "host",
  "password",
  "emails",
];

/** React's reply encoding for plain JSON: strings that start with "$" are escaped by doubling it. */
function encodeReply(args: unknown[]): string {
  return JSON.stringify(args, (_k, v: unknown) => (typeof v === "string" && v.startsWith("$") ? `$${v}` : v));
}

function argumentLists(): unknown[][] {
  const lists: unknown[][] = [[]];
  for (const v of VALUES) lists.push([v], [v, v], ["3f0a8c1e-5b7d-4e29-9c3a-1d2e3f4a5b6c", v]);
  for (const v of VALUES.slice(0, 12)) {
    lists.push([Object.fromEntries(KEYS.map((k) => [k, v])), v]);
  }
  lists.push([{ hostId: "3f0a8c1e-5b7d-4e29-9c3a-1d2e3f4a5b6c" }, "{}"]);
  lists.push([{ keyId: "3f0a8c1e-5b7d-4e29-9c3a-1d2e3f4a5b6c", name: "x" }]);
  return lists;
}

/** Everything the panel keeps that a malformed request could change, to compare before and after. */
async function inventory(): Promise<string> {
  const rows = await sql<{ t: string; n: string }>(
    `SELECT 'op' t, count(*)::text n FROM "Operator" UNION ALL SELECT 'key', count(*)::text FROM "SecurityKey" WHERE "revokedAt" IS NULL
     UNION ALL SELECT 'host', count(*)::text FROM "DockerHost" UNION ALL SELECT 'inst', count(*)::text FROM "Instance"
     UNION ALL SELECT 'unit', count(*)::text FROM "Unit" UNION ALL SELECT 'policy', count(*)::text FROM "BackupPolicy"
     UNION ALL SELECT 'operation', count(*)::text FROM "Operation" UNION ALL SELECT 'setting', count(*)::text FROM "Setting"
     UNION ALL SELECT 'session', count(*)::text FROM "OperatorSession" WHERE "revokedAt" IS NULL`,
  );
  return rows.map((r) => `${r.t}=${r.n}`).join(" ");
}

async function bodyText(response: Awaited<ReturnType<APIRequestContext["fetch"]>>): Promise<string> {
  try {
    return await response.text();
  } catch {
    return "";
  }
}

test.describe("malformed input", () => {
  test.describe.configure({ timeout: 600_000 });

  test("every page with a parameter answers 404 (never 5xx) to malformed path segments and queries", async ({
    request,
  }) => {
    const failures: string[] = [];
    const withParams = pages.filter((p) => p.includes("["));
    expect(withParams).toEqual(expect.arrayContaining(["/instances/[id]", "/operators/[id]", "/hosts/[id]/edit"]));
    for (const page of [...withParams, "/", "/audit", "/instances", "/operations", "/backups"]) {
      for (const segment of page.includes("[") ? SEGMENTS : [""]) {
        for (const query of ["", ...QUERIES]) {
          const url = page.replace(/\[[^\]]+\]/g, segment) + query;
          const response = await request.get(url, { maxRedirects: 0 });
          if (response.status() >= 500) failures.push(`GET ${url.slice(0, 120)} → ${response.status()}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  test("every API route and method answers 4xx (never 5xx) to malformed paths, queries and bodies", async ({
    request,
    baseURL,
  }) => {
    const before = await inventory();
    const failures: string[] = [];
    for (const { route, methods } of routes) {
      const paths = route.includes("[")
        ? SEGMENTS.map((s) => route.replace(/\[\.\.\.[^\]]+\]/g, s).replace(/\[[^\]]+\]/g, s))
        : [route];
      for (const p of paths) {
        for (const method of methods) {
          for (const query of method === "GET" ? ["", ...QUERIES] : ["", QUERIES[0]!]) {
            const bodies = method === "GET" ? [undefined] : BODIES;
            for (const body of bodies) {
              for (const type of body === undefined
                ? [undefined]
                : ["application/json", "application/x-www-form-urlencoded"]) {
                const response = await request.fetch(p + query, {
                  method,
                  headers: { Origin: baseURL!, ...(type ? { "Content-Type": type } : {}) },
                  data: body,
                  maxRedirects: 0,
                  timeout: 20_000,
                });
                const status = response.status();
                if (status >= 500) {
                  failures.push(`${method} ${(p + query).slice(0, 100)} [${(body ?? "").slice(0, 40)}] → ${status}`);
                }
                // A live log stream answers 200 and streams; close it by reading nothing more.
                if (status < 300 && response.headers()["content-type"]?.includes("text/event-stream")) continue;
                if (status >= 400) {
                  const text = await bodyText(response);
                  if (/at .+\.(js|ts):\d+|node_modules/.test(text))
                    failures.push(`${method} ${p}: a stack trace leaked`);
                }
              }
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(await inventory()).toBe(before);
  });

  test("every server action answers malformed arguments with a clear refusal, never `internal` or 5xx", async ({
    request,
    baseURL,
  }) => {
    const manifest = JSON.parse(
      readFileSync(path.join(ROOT, ".next", "server", "server-reference-manifest.json"), "utf8"),
    ) as { node: Record<string, { filename: string; exportedName: string; workers: Record<string, unknown> }> };
    const actions = Object.entries(manifest.node);
    expect(actions.length).toBeGreaterThan(30);
    const before = await inventory();
    const failures: string[] = [];
    const lists = argumentLists();
    let refusals = 0;
    for (const [id, action] of actions) {
      // An action is posted to a page that uses it (app/(dashboard)/keys/page → /keys), as the browser does.
      const page = routeOf(path.join(ROOT, Object.keys(action.workers)[0]!)).replace(/\[[^\]]+\]/g, SEGMENTS[9]!);
      for (const args of lists) {
        const response = await request.post(page, {
          headers: {
            Origin: baseURL!,
            "Next-Action": id,
            "Content-Type": "text/plain;charset=UTF-8",
            Accept: "text/x-component",
          },
          data: encodeReply(args),
          maxRedirects: 0,
          timeout: 30_000,
        });
        const text = await bodyText(response);
        const shown = `${action.exportedName}(${encodeReply(args).slice(0, 80)})`;
        if (response.status() >= 500) failures.push(`${shown} → ${response.status()}`);
        else if (text.includes('"code":"internal"')) failures.push(`${shown} → internal`);
        else if (/^\d+:E\{/m.test(text)) failures.push(`${shown} → threw`);
        if (text.includes('"ok":false')) refusals++;
      }
    }
    expect(failures).toEqual([]);
    // The requests reached the actions (an action answering is a result with ok: false, not a router error).
    expect(refusals).toBeGreaterThan(actions.length * lists.length * 0.9);
    expect(await inventory()).toBe(before);
  });

  test("a path that does not decode to text is a 400 that says what to do, at the door", async ({ request }) => {
    const page = await request.get("/instances/%ff");
    expect(page.status()).toBe(400);
    expect(await page.text()).toContain("This address is not valid");
    const api = await request.get("/api/instances/%c0%af/logs");
    expect(api.status()).toBe(400);
    expect(await api.json()).toMatchObject({ code: "bad_input", message: expect.stringContaining("Check the link") });
  });
});
