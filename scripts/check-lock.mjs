// After `npm install`, fail when package-lock.json changed in anything but
// optional platform binaries. Whether those appear depends on what the npm
// registry in use serves for other platforms; every other difference means
// the committed lock no longer matches package.json.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const committed = JSON.parse(execFileSync("git", ["show", "HEAD:package-lock.json"], { encoding: "utf8" }));
const installed = JSON.parse(readFileSync("package-lock.json", "utf8"));
const a = committed.packages ?? {};
const b = installed.packages ?? {};
const problems = [];
for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
  const before = a[key];
  const after = b[key];
  if (before && after) {
    if (JSON.stringify(before) !== JSON.stringify(after)) problems.push(`changed: ${key || "(root)"}`);
  } else if (!(before ?? after).optional) {
    problems.push(`${before ? "removed" : "added"}: ${key}`);
  }
}
if (problems.length) {
  console.error(`package-lock.json is out of date (${problems.length}): ${problems.slice(0, 10).join(", ")}`);
  console.error("Run npm install and commit package-lock.json.");
  process.exit(1);
}
console.log("package-lock.json matches package.json.");
