"use client";

import { useRouter } from "next/navigation";
import { useState, type ChangeEvent, type FormEvent } from "react";
import { createHostAction, updateHostAction } from "@/app/(dashboard)/hosts/actions";
import { Alert, Button, Card, Field, Input, Select } from "@/components/ui";

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
  const [problem, setProblem] = useState<string | null>(null);
  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (!file) return;
    if (file.size > MAX_UPLOAD) {
      setProblem(
        `${file.name} is ${Math.round(file.size / 1024)} KiB: a certificate or key file is a few KiB. Pick the right file.`,
      );
      return;
    }
    const text = await file.text();
    if (!/-----BEGIN [A-Z ]+-----/.test(text)) {
      setProblem(`${file.name} is not a PEM or OpenSSH file (no “-----BEGIN …-----” line). Pick the right file.`);
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
        Load from a file…
        <input type="file" className="sr-only" onChange={onFile} aria-label={`${label}: load from a file`} />
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
  const editing = !!initial?.id;
  const [kind, setKind] = useState<Kind>(initial?.kind ?? "socket");
  const [ca, setCa] = useState(initial?.tlsCaCert ?? "");
  const [cert, setCert] = useState(initial?.tlsClientCert ?? "");
  const [key, setKey] = useState("");
  const [sshKey, setSshKey] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

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
    setBusy(true);
    setError(null);
    const result = editing ? await updateHostAction(initial!.id!, input) : await createHostAction(input);
    setBusy(false);
    if (!result.ok) {
      setError(result.message);
      return;
    }
    const id = editing ? initial!.id! : (result.data as { id: string }).id;
    router.push(`/hosts/${id}`);
    router.refresh();
  }

  return (
    <Card>
      <form onSubmit={onSubmit} className="space-y-4">
        <div className="grid gap-3 sm:grid-cols-2">
          <Field id="host-name" label="Name" help="Short and unique, e.g. labhost-web (lower case, digits, dashes).">
            <Input id="host-name" name="name" defaultValue={initial?.name} required maxLength={63} />
          </Field>
          <Field id="host-kind" label="Connection">
            <Select id="host-kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
              <option value="socket">Unix socket (Docker on this machine)</option>
              <option value="tcp_tls">TCP with mutual TLS</option>
              <option value="ssh">SSH</option>
            </Select>
          </Field>
        </div>
        {kind === "socket" && (
          <Field id="host-socket" label="Socket path">
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
              <Field id="host-address" label="Address" help="Host name or IP address of the Docker host.">
                <Input id="host-address" name="address" defaultValue={initial?.address} required />
              </Field>
            </div>
            <Field id="host-port" label="Port">
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
            <PemField
              id="host-ca"
              label="CA certificate"
              value={ca}
              onChange={setCa}
              help="The CA that signed the engine's certificate."
            />
            <PemField
              id="host-cert"
              label="Client certificate"
              value={cert}
              onChange={setCert}
              help="Issued to the panel by that CA."
            />
            <PemField
              id="host-key"
              label="Client key"
              value={key}
              onChange={setKey}
              help={
                editing && initial?.hasClientKey
                  ? "Leave empty to keep the stored key."
                  : "Stored encrypted; never shown again."
              }
              placeholder={editing && initial?.hasClientKey ? "•••• stored ••••" : undefined}
            />
          </div>
        )}
        {kind === "ssh" && (
          <div className="grid gap-3 sm:grid-cols-3">
            <Field id="host-user" label="SSH user" help="A user in the docker group on that host.">
              <Input id="host-user" name="sshUser" defaultValue={initial?.sshUser ?? "paillasse"} required />
            </Field>
            <div className="sm:col-span-2">
              <PemField
                id="host-ssh-key"
                label="SSH private key"
                value={sshKey}
                onChange={setSshKey}
                help={
                  editing && initial?.hasSshKey
                    ? "Leave empty to keep the stored key."
                    : "A key without passphrase, dedicated to the panel. Stored encrypted; the host's own key is pinned at the first connection."
                }
                placeholder={editing && initial?.hasSshKey ? "•••• stored ••••" : undefined}
              />
            </div>
          </div>
        )}
        {error && <Alert tone="error">{error}</Alert>}
        <div className="flex gap-2">
          <Button type="submit" variant="primary" disabled={busy}>
            {busy ? "Saving and testing the connection…" : editing ? "Save and test" : "Add and test the connection"}
          </Button>
          <Button type="button" onClick={() => router.back()} disabled={busy}>
            Cancel
          </Button>
        </div>
      </form>
    </Card>
  );
}
