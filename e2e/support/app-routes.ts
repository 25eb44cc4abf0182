import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./panel-process";

/** The panel's pages and API routes, found by walking app/ (what the route and fuzz tests go through). */
function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  );
}

/** app/(dashboard)/operators/[id]/page.tsx → /operators/[id] */
export function routeOf(file: string): string {
  const segments = path
    .relative(path.join(ROOT, "app"), path.dirname(file))
    .split(path.sep)
    .filter((s) => s && !/^\(.*\)$/.test(s));
  return `/${segments.join("/")}`;
}

const files = walk(path.join(ROOT, "app"));
export const pages = files.filter((f) => /[/\\]page\.tsx$/.test(f)).map(routeOf);
export const routes = files
  .filter((f) => /[/\\]route\.ts$/.test(f))
  .map((f) => ({
    route: routeOf(f),
    methods: [...readFileSync(f, "utf8").matchAll(/export (?:async )?function (GET|POST|PUT|PATCH|DELETE)\b/g)].map(
      (m) => m[1]!,
    ),
  }));
