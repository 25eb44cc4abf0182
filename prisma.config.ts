// Prisma CLI configuration. The app itself never reads this file: it connects
// through lib/db.ts (driver adapter) and migrates with scripts/db-migrate.ts.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: {
    // Only commands that talk to a database use it; `prisma generate` does not.
    url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/paillasse",
  },
});
