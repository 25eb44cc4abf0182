"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState, type ChangeEvent, type FormEvent } from "react";
import { createHostAction, updateHostAction } from "@/app/(dashboard)/hosts/actions";
import { Alert, Button, Card, Field, Input, Select } from "@/components/ui";
import { useAction } from "@/components/use-action";

type Kind = "socket" | "tcp_tls" | "ssh";

export interface HostFormValues {
  id?: string;
  name: string;
  kind: Kind;
  socketPath?: string;
  address?: string;
  port?: number | null;
  sshUser?: string | null;
  tlsCaCert?: string | null;
  tlsClientCert?: string | null;
  hasClientKey?: boolean;
  hasSshKey?: boolean;
}

const MAX_UPLOAD = 20_000;

/** A PEM or key field: paste it, or load it from a file (read in the browser, sent with the form). */
function PemField({
  id,
  label,
  help,
  value,
  onChange,
  placeholder,
}: {
  id: string;
  label: string;
  help?: string;
  value: string;
  onChange: (v: string) => void;
  placeholder?: string;
}) {
  const t = useTranslations("hostForm");
  const [problem, setProblem] = useState<string | null>(null);
  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (!file) return;
    if (file.size > MAX_UPLOAD) {
      setProblem(t("tooBig", { file: file.name, size: Math.round(file.size / 1024) }));
      return;
    }
    const text = await file.text();
    if (!/-----BEGIN [A-Z ]+-----/.test(text)) {
      setProblem(t("notPem", { file: file.name }));
      return;
    }
    setProblem(null);
    onChange(text.trim());
  }
  return (
    <Field id={id} label={label} help={help}>
      <textarea
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        rows={4}
        spellCheck={false}
        placeholder={placeholder}
        className="mt-1 w-full rounded-md border border-slate-300 px-2.5 py-1.5 font-mono text-xs"
      />
      <label className="mt-1 inline-flex cursor-pointer items-center gap-1 text-xs text-sky-800 underline">
        {t("loadFile")}
        <input type="file" className="sr-only" onChange={onFile} aria-label={t("loadFileLabel", { label })} />
      </label>
      {problem && (
        <Alert tone="error" className="mt-1">
          {problem}
        </Alert>
      )}
    </Field>
  );
}

export function HostForm({ initial }: { initial?: HostFormValues }) {
  const router = useRouter();
  const t = useTranslations("hostForm");
  const tc = useTranslations("common");
  const editing = !!initial?.id;
  const [kind, setKind] = useState<Kind>(initial?.kind ?? "socket");
  const [ca, setCa] = useState(initial?.tlsCaCert ?? "");
  const [cert, setCert] = useState(initial?.tlsClientCert ?? "");
  const [key, setKey] = useState("");
  const [sshKey, setSshKey] = useState("");
  const { run, pending: busy, error } = useAction();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input: Record<string, unknown> = {
      kind,
      name: String(form.get("name") ?? ""),
      socketPath: form.get("socketPath") ?? undefined,
      address: form.get("address") ?? undefined,
      port: form.get("port") ?? undefined,
      sshUser: form.get("sshUser") ?? undefined,
      tlsCaCert: ca,
      tlsClientCert: cert,
      tlsClientKey: key,
      sshPrivateKey: sshKey,
    };
    await run<unknown>(() => (editing ? updateHostAction(initial!.id!, input) : createHostAction(input)), {
      onDone: (data) => {
        const id = editing ? initial!.id! : (data as { id: string }).id;
        router.push(`/hosts/${id}`);
        router.refresh();
      },
      keepPending: true,
    });
  }

  return (
    <Card>
      <form onSubmit={onSubmit} className="space-y-4">
        <div className="grid gap-3 sm:grid-cols-2">
          <Field id="host-name" label={t("name")} help={t("nameHelp")}>
            <Input id="host-name" name="name" defaultValue={initial?.name} required maxLength={63} />
          </Field>
          <Field id="host-kind" label={t("connection")}>
            <Select id="host-kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
              <option value="socket">{t("socketOption")}</option>
              <option value="tcp_tls">{t("tlsOption")}</option>
              <option value="ssh">{t("sshOption")}</option>
            </Select>
          </Field>
        </div>
        {kind === "socket" && (
          <Field id="host-socket" label={t("socketPath")}>
            <Input
              id="host-socket"
              name="socketPath"
              defaultValue={initial?.socketPath ?? "/var/run/docker.sock"}
              required
            />
          </Field>
        )}
        {kind !== "socket" && (
          <div className="grid gap-3 sm:grid-cols-3">
            <div className="sm:col-span-2">
              <Field id="host-address" label={t("address")} help={t("addressHelp")}>
                <Input id="host-address" name="address" defaultValue={initial?.address} required />
              </Field>
            </div>
            <Field id="host-port" label={t("port")}>
              <Input
                id="host-port"
                name="port"
                inputMode="numeric"
                defaultValue={initial?.port ?? (kind === "ssh" ? 22 : 2376)}
                key={kind}
                required
              />
            </Field>
          </div>
        )}
        {kind === "tcp_tls" && (
          <div className="grid gap-3 lg:grid-cols-3">
            <PemField id="host-ca" label={t("ca")} value={ca} onChange={setCa} help={t("caHelp")} />
            <PemField id="host-cert" label={t("cert")} value={cert} onChange={setCert} help={t("certHelp")} />
            <PemField
              id="host-key"
              label={t("key")}
              value={key}
              onChange={setKey}
              help={editing && initial?.hasClientKey ? t("keepKey") : t("keySealed")}
              placeholder={editing && initial?.hasClientKey ? t("stored") : undefined}
            />
          </div>
        )}
        {kind === "ssh" && (
          <div className="grid gap-3 sm:grid-cols-3">
            <Field id="host-user" label={t("sshUser")} help={t("sshUserHelp")}>
              <Input id="host-user" name="sshUser" defaultValue={initial?.sshUser ?? "paillasse"} required />
            </Field>
            <div className="sm:col-span-2">
              <PemField
                id="host-ssh-key"
                label={t("sshKey")}
                value={sshKey}
                onChange={setSshKey}
                help={editing && initial?.hasSshKey ? t("keepKey") : t("sshKeyHelp")}
                placeholder={editing && initial?.hasSshKey ? t("stored") : undefined}
              />
            </div>
          </div>
        )}
        {error && <Alert tone="error">{error}</Alert>}
        <div className="flex gap-2">
          <Button type="submit" variant="primary" disabled={busy}>
            {busy ? t("saving") : editing ? t("saveTest") : t("addTest")}
          </Button>
          <Button type="button" onClick={() => router.back()} disabled={busy}>
            {tc("cancel")}
          </Button>
        </div>
      </form>
    </Card>
  );
}
