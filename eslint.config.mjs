import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [
      ".next/**",
      "lib/generated/**",
      "node_modules/**",
      "test-results/**",
      "playwright-report/**",
      "next-env.d.ts",
      "data/**",
    ],
  },
  {
    rules: {
      // Only lib/docker may speak to the Docker Engine (ARCHITECTURE.md).
      "no-restricted-imports": [
        "error",
        { paths: [{ name: "dockerode", message: "Use lib/docker, the one Docker gateway." }] },
      ],
    },
  },
  {
    files: ["lib/docker/**"],
    rules: { "no-restricted-imports": "off" },
  },
];

export default config;
