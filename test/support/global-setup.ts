import type { TestProject } from "vitest/node";
import { testEngine } from "./docker";
import { acquireTestServer, assertTestDatabase, type TestServer } from "./test-database";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

/**
 * Integration tests get a PostgreSQL server; each test file creates its own
 * fresh database on it (see useFreshDatabase) and drops it afterwards.
 */
let server: TestServer | undefined;

export async function setup(project: TestProject) {
  if (process.env.DATABASE_URL) assertTestDatabase(process.env.DATABASE_URL);
  // Fail once, early and clearly, when the Docker test environment is missing.
  const engine = await testEngine();
  void engine;
  server = await acquireTestServer();
  project.provide("pgAdminUrl", server.adminUrl);
}

export async function teardown() {
  await server?.embedded?.stop();
}
