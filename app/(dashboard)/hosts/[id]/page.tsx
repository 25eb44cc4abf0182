import { Pencil } from "lucide-react";
import type { Metadata } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DeleteHostButton, ForgetFingerprintButton, TestConnectionButton } from "@/components/hosts/host-actions";
import { ReachabilityBadge } from "@/components/status/badges";
import { Alert, ButtonLink, Card, PageHeader, Table, Facts } from "@/components/ui";
import { requirePermission } from "@/lib/auth/authorize";
import { can } from "@/lib/auth/permissions";
import { now } from "@/lib/clock";
import { db } from "@/lib/server/db/web";
import { formatAge, formatBytes, formatDateTime } from "@/lib/format";
import { findHost } from "@/lib/server/hosts/find-hosts";
import { isUuid } from "@/lib/server/ids";
import { findUnits } from "@/lib/server/units/find-units";
import { DiscoverPanel } from "@/components/instances/discover-panel";
import { instancesOnHost } from "@/lib/server/hosts/instances-on-host";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("host"))("metaTitle") };
}

export default async function HostPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const viewer = await requirePermission("hosts.read", `/hosts/${id}`);
  const host = isUuid(id) ? await findHost(db(), id) : null;
  if (!host) notFound();
  const manage = can(viewer.role, "hosts.manage");
  const snapshot = host.snapshot;
  const at = now();
  const t = await getTranslations("host");
  const th = await getTranslations("hosts");
  const locale = await getLocale();
  const served = instancesOnHost(host.webInstances, host.databaseInstances);
  const instances = served.length;
  return (
    <>
      <PageHeader
        title={host.name}
        description={`${th(`kind.${host.kind}`)} · ${host.port ? `${host.address}:${host.port}` : host.address}`}
        actions={
          manage && (
            <>
              <ButtonLink href={`/hosts/${host.id}/edit`}>
                <Pencil aria-hidden className="size-4" />
                {t("edit")}
              </ButtonLink>
              <DeleteHostButton hostId={host.id} name={host.name} instances={instances} />
            </>
          )
        }
      />
      <div className="space-y-5">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="flex items-center gap-2 text-sm text-slate-700">
            <ReachabilityBadge value={host.reachability} />
            {host.lastSnapshotAt
              ? t("lastReading", {
                  age: formatAge(host.lastSnapshotAt, at, locale),
                  at: formatDateTime(host.lastSnapshotAt, locale),
                })
              : t("notRead")}
          </div>
          {manage && <TestConnectionButton hostId={host.id} />}
        </div>
        {host.reachability === "unreachable" && host.lastSnapshotError && (
          <Alert tone="error" title={t("readingFailed")}>
            {host.lastSnapshotError}
          </Alert>
        )}
        <div className="grid gap-5 lg:grid-cols-2">
          <Card title={t("engine")}>
            {snapshot ? (
              <Facts
                items={[
                  [
                    t("fact.docker"),
                    t("fact.dockerValue", { version: snapshot.engine.version, api: snapshot.engine.apiVersion }),
                  ],
                  [t("fact.system"), `${snapshot.engine.operatingSystem}, ${snapshot.engine.architecture}`],
                  [t("fact.kernel"), snapshot.engine.kernelVersion],
                  [t("fact.cpus"), `${snapshot.engine.cpus}, ${formatBytes(snapshot.engine.memoryBytes, locale)}`],
                  [t("fact.dataDir"), <code key="d">{snapshot.engine.dockerRootDir}</code>],
                  [
                    t("fact.free"),
                    host.freeBytes !== null
                      ? formatBytes(host.freeBytes, locale)
                      : `${t("fact.freeUnknown")}${snapshot.freeBytesNote ? ` (${snapshot.freeBytesNote})` : ""}`,
                  ],
                  [
                    t("fact.containers"),
                    t("fact.containersValue", {
                      count: snapshot.containers.length,
                      running: snapshot.containersRunning,
                    }),
                  ],
                ]}
              />
            ) : (
              <p className="text-sm text-slate-600">{t("noReading")}</p>
            )}
          </Card>
          <Card title={t("connection")}>
            <Facts
              items={[
                [t("fact.type"), th(`kind.${host.kind}`)],
                [t("fact.address"), <code key="a">{host.port ? `${host.address}:${host.port}` : host.address}</code>],
                ...(host.kind === "ssh"
                  ? ([
                      [t("fact.user"), host.sshUser ?? "—"],
                      [t("fact.privateKey"), host.hasSshKey ? t("storedEncrypted") : t("missing")],
                      [
                        t("fact.hostKey"),
                        host.sshHostFingerprint ? (
                          <code key="f" className="break-all">
                            {host.sshHostFingerprint}
                          </code>
                        ) : (
                          t("pinnedNext")
                        ),
                      ],
                    ] as [string, React.ReactNode][])
                  : []),
                ...(host.kind === "tcp_tls"
                  ? ([
                      [t("fact.certificates"), t("certificatesStored")],
                      [t("fact.clientKey"), host.hasClientKey ? t("storedEncrypted") : t("missing")],
                    ] as [string, React.ReactNode][])
                  : []),
                [
                  t("fact.instances"),
                  instances === 0
                    ? t("noInstances")
                    : served.map((i, n) => (
                        <span key={i.id}>
                          {n > 0 && ", "}
                          <Link href={`/instances/${i.id}`} className="text-sky-800 underline">
                            {i.name}
                          </Link>{" "}
                          <span className="text-slate-600">({i.roles.map((r) => t(`role.${r}`)).join(", ")})</span>
                        </span>
                      )),
                ],
              ]}
            />
            {manage && host.kind === "ssh" && host.sshHostFingerprint && (
              <div className="mt-3">
                <ForgetFingerprintButton hostId={host.id} fingerprint={host.sshHostFingerprint} />
              </div>
            )}
          </Card>
        </div>
        {can(viewer.role, "instances.manage") && (
          <DiscoverPanel hostId={host.id} units={await findUnits(db(), viewer)} />
        )}
        {snapshot && (
          <Card title={t("containersTitle", { count: snapshot.containers.length })}>
            {snapshot.containers.length === 0 ? (
              <p className="text-sm text-slate-600">{t("noContainer")}</p>
            ) : (
              <Table
                caption={t("containersCaption")}
                columns={[t("col.name"), t("col.image"), t("col.state"), t("col.project")]}
                rows={snapshot.containers.map((c) => ({
                  key: c.id,
                  cells: [
                    c.name,
                    <code key="i" className="text-xs">
                      {c.image}
                    </code>,
                    c.status,
                    c.labels["com.docker.compose.project"] ?? "—",
                  ],
                }))}
              />
            )}
          </Card>
        )}
      </div>
    </>
  );
}
