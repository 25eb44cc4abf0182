import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = {
  "@": path.resolve(import.meta.dirname),
  "server-only": path.resolve(import.meta.dirname, "test/support/empty.ts"),
};

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["lib/**/*.test.ts", "components/**/*.test.ts", "scripts/**/*.test.ts", "test/support/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/support/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      // `npm run test:large` only: round trips of gigabytes, minutes each.
      ...(process.env.PL_LARGE_TESTS === "1"
        ? [
            {
              resolve: { alias },
              test: {
                name: "large",
                include: ["test/large/**/*.test.ts"],
                environment: "node",
                globalSetup: ["test/support/global-setup.ts"],
                testTimeout: 1_800_000,
                hookTimeout: 1_800_000,
              },
            },
          ]
        : []),
    ],
  },
});
