/**
 * `npm run operator:invite -- --email a@unit.example --role admin [--name "A B"] [--expires 2027-12-31]`
 *
 * Creates the operator if needed and prints a one-time enrolment link, valid
 * 30 minutes: how the first admin is made, and the way back in when every
 * admin has lost their keys. Works with the embedded database too.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, dataDir, parseEnv } from "../lib/env";
import { readRunningPanel } from "../lib/server/running-panel";
import { loadEnvFile } from "../lib/env-file";
import { AppError } from "../lib/errors";
import { createPrismaClient } from "../lib/server/db/client";
import { migrate } from "../lib/server/db/migrate";
import { openPanelDatabase } from "../lib/server/db/open-panel-database";
import { inviteOperator } from "../lib/server/operators/invite-operator";

const usage =
  'usage: npm run operator:invite -- --email <address> --role admin|operator|correspondant [--name "Full Name"] [--expires YYYY-MM-DD]';

async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        email: { type: "string" },
        role: { type: "string" },
        name: { type: "string" },
        expires: { type: "string" },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
  if (!values.email || !values.role) {
    console.error(`--email and --role are required.\n${usage}`);
    process.exit(2);
  }
  // The same settings file as `npm start`: the same database, data directory and keys.
  loadEnvFile(path.resolve(import.meta.dirname, ".."), (line) => console.error(line));
  // A panel running on this data directory says where it listens and which port its embedded database
  // has: settings given to it in its environment (another port) need not be repeated here.
  const running = readRunningPanel(dataDir(parseEnv()));
  if (running) {
    process.env.PANEL_URL ??= running.panelUrl;
    if (running.embeddedPgPort !== null) process.env.EMBEDDED_PG_PORT ??= String(running.embeddedPgPort);
  }
  const env = parseEnv();
  const database = await openPanelDatabase(env);
  try {
    await migrate(database.url, path.resolve(import.meta.dirname, "..", "prisma", "migrations"));
    const db = createPrismaClient(database.url);
    try {
      const invite = await inviteOperator(
        db,
        { email: values.email, role: values.role as "admin", displayName: values.name, expiresAt: values.expires },
        { via: "cli" },
      );
      const time = invite.expiresAt.toISOString().slice(11, 16);
      console.log(`${invite.created ? "Created" : "Invited"} ${values.email.toLowerCase()} (${values.role}).`);
      console.log(`One-time enrolment link, valid until ${time} UTC (30 minutes), usable once:`);
      console.log(`\n  ${env.PANEL_URL}/enrol#${invite.token}\n`);
      console.log(
        "Open it in a browser on a trusted network with the security key at hand; the link is not stored anywhere.",
      );
    } finally {
      await db.$disconnect();
    }
  } finally {
    await database.close();
  }
}

main().catch((error) => {
  if (error instanceof ConfigError) console.error(error.message);
  else if (error instanceof AppError) console.error(`${error.message}${error.hint ? ` ${error.hint}` : ""}`);
  else console.error(`The invitation failed: ${(error as Error).message}`);
  process.exit(1);
});
