/**
 * `npm run key:rotate`: re-seal every stored secret under the current (first) master key.
 * `npm run key:rotate -- --add-key`: with the master key `npm start` generated in the data directory, put a
 * new key first in that file (the old one stays after it); restart the panel, then run `npm run key:rotate`.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { generateKeySpec, parseKeyRing } from "../lib/crypto";
import { dataDir, parseEnv } from "../lib/env";
import { loadEnvFile } from "../lib/env-file";
import { rotateSecrets } from "../lib/server/key-rotation";
import { withPanel } from "./support/panel-cli";

if (process.argv.includes("--add-key")) {
  loadEnvFile(path.resolve(import.meta.dirname, ".."), (line) => console.error(line));
  const env = parseEnv();
  if (env.PANEL_SECRET_KEY) {
    console.error(
      "The master key comes from PANEL_SECRET_KEY: put a new key first there (`npm run key:generate k2`, then `k2:…,<the current entry>`), restart the panel, then run `npm run key:rotate`.",
    );
    process.exit(1);
  }
  const file = path.join(dataDir(env), "master.key");
  if (!existsSync(file)) {
    console.error(`There is no generated master key (${file}): start the panel once with \`npm start\`.`);
    process.exit(1);
  }
  const spec = readFileSync(file, "utf8").trim();
  const ring = parseKeyRing(spec);
  let n = ring.all.size + 1;
  while (ring.all.has(`k${n}`)) n++;
  writeFileSync(`${file}.new`, `${generateKeySpec(`k${n}`)},${spec}\n`, { mode: 0o600 });
  renameSync(`${file}.new`, file);
  console.log(
    `Added master key k${n} first in ${file} (the others stay after it). Restart the panel, then run \`npm run key:rotate\`.`,
  );
  process.exit(0);
}

await withPanel("the secrets are sealed with it.", async ({ db, ring }) => {
  const report = await rotateSecrets(db, ring);
  for (const p of report.places) {
    console.log(`${p.place}: ${p.resealed} re-sealed, ${p.current} already under ${report.keyId}.`);
  }
  for (const problem of report.notResealed) console.error(`Not re-sealed: ${problem}`);
  if (report.notResealed.length) {
    console.error(`${report.notResealed.length} secret(s) could not be re-sealed: keep every key until they are.`);
    return 1;
  }
  console.log(`Every secret is sealed with master key ${report.keyId}.`);
  const retired = [...ring.all.keys()].filter((id) => id !== report.keyId);
  const auditOnly = retired.filter((id) => report.auditKeyIds.includes(id));
  if (auditOnly.length) {
    const them = auditOnly.length > 1 ? "them" : "it";
    console.log(
      `Keep ${auditOnly.join(", ")} after it in the key ring: the audit trail's older events are keyed with ${them}, and audit:verify needs ${them}.`,
    );
  }
  const droppable = retired.filter((id) => !report.auditKeyIds.includes(id));
  if (droppable.length) console.log(`${droppable.join(", ")} no longer seal anything: they may be removed.`);
  return 0;
});
