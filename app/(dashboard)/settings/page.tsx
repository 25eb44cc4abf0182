import type { Metadata } from "next";
import { requirePermission } from "@/lib/auth/authorize";
import { Card, PageHeader } from "@/components/ui";
import { getPanelConfiguration } from "@/lib/server/settings/get-panel-configuration";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  await requirePermission("settings.read", "/settings");
  const config = getPanelConfiguration();
  const rows: [string, string][] = [
    ["Public URL", config.publicUrl],
    ["Listening on", config.listen],
    ["Trusted networks", config.trustedNetworks.join(", ")],
    [
      "Trusted reverse proxies",
      config.trustedProxies.length ? config.trustedProxies.join(", ") : "None (X-Forwarded-For ignored)",
    ],
    [
      "Database",
      config.database === "embedded" ? "Embedded PostgreSQL (data directory)" : "External PostgreSQL (DATABASE_URL)",
    ],
    ["Master key", config.masterKeySource === "file" ? "Read from a key file" : "Read from PANEL_SECRET_KEY"],
    ["Local Docker socket", config.dockerSocket],
    ["Sessions", config.sessionLimits],
    ["Security keys", config.keyPolicy],
    ["Registry for updates", config.registry],
    ["Helper images", config.helperImages],
    ["Log level", config.logLevel],
  ];
  return (
    <>
      <PageHeader
        title="Settings"
        description="The running configuration, read from the environment at start (see .env.example). Secrets are never shown."
      />
      <Card title="Running configuration">
        <dl className="grid grid-cols-[12rem_1fr] gap-x-4 gap-y-2 text-sm">
          {rows.map(([label, value]) => (
            <div key={label} className="contents">
              <dt className="text-slate-500">{label}</dt>
              <dd className="font-mono text-xs leading-5 text-slate-900">{value}</dd>
            </div>
          ))}
        </dl>
      </Card>
      <p className="mt-4 text-sm text-slate-600">
        Backup policies, alert e-mail and syslog forwarding are set here once their features land.
      </p>
    </>
  );
}
