// `prisma generate` without Prisma's downloadable schema engine: generate does
// not use the engine, but the CLI insists that its binary exists. Point it at
// any existing file (this Node binary) unless the caller configured a real one.
import { spawnSync } from "node:child_process";

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1" };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
const result = spawnSync(
  process.execPath,
  ["node_modules/prisma/build/index.js", "generate", ...process.argv.slice(2)],
  {
    stdio: "inherit",
    env,
  },
);
process.exit(result.status ?? 1);
