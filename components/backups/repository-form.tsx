"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import {
  createRepositoryAction,
  recoveryKitAction,
  setPolicyRepositoryAction,
} from "@/app/(dashboard)/backups/actions";
import { KeyConfirmButton } from "@/components/auth/key-confirm";
import { Alert, Button, Card, Dialog, Field, Input, Select } from "@/components/ui";
import { useAction } from "@/components/use-action";

type Kind = "host_directory" | "sftp" | "rest" | "s3";

/** A new restic repository: where it is, and the credentials to reach it (its password is generated). */
export function RepositoryForm({ hosts }: { hosts: { id: string; name: string }[] }) {
  const router = useRouter();
  const t = useTranslations("repositories");
  const tf = useTranslations("forms");
  const { run, pending: busy, error } = useAction();
  const [kind, setKind] = useState<Kind>("host_directory");
  const [saved, setSaved] = useState<string | null>(null);
  const [publicKey, setPublicKey] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = Object.fromEntries(new FormData(form)) as Record<string, string>;
    setSaved(null);
    setPublicKey(null);
    await run(() => createRepositoryAction({ ...data, kind }), {
      onDone: (created) => {
        setSaved(t(created.sshPublicKey ? "savedSftp" : "saved", { name: data.name ?? "" }));
        setPublicKey(created.sshPublicKey);
        form.reset();
        router.refresh();
      },
    });
  }

  return (
    <Card title={t("addTitle")}>
      <form onSubmit={onSubmit} className="space-y-4">
        <div className="grid gap-3 sm:grid-cols-3">
          <Field id="r-kind" label={t("kind")}>
            <Select id="r-kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
              <option value="host_directory">{t("kinds.host_directory")}</option>
              <option value="sftp">{t("kinds.sftp")}</option>
              <option value="rest">{t("kinds.rest")}</option>
              <option value="s3">{t("kinds.s3")}</option>
            </Select>
          </Field>
          <Field id="r-name" label={t("name")}>
            <Input id="r-name" name="name" placeholder={t("namePlaceholder")} required maxLength={80} />
          </Field>
          {kind === "host_directory" && (
            <Field id="r-host" label={t("host")}>
              <Select id="r-host" name="hostId" required defaultValue="">
                <option value="" disabled>
                  {t("chooseHost")}
                </option>
                {hosts.map((h) => (
                  <option key={h.id} value={h.id}>
                    {h.name}
                  </option>
                ))}
              </Select>
            </Field>
          )}
        </div>
        <Field id="r-location" label={t(`location.${kind}`)} help={t(`locationHelp.${kind}`)}>
          <Input id="r-location" name="location" placeholder={t(`locationPlaceholder.${kind}`)} required />
        </Field>
        {kind === "sftp" && (
          <Field id="r-hostkey" label={t("hostKey")} help={t("hostKeyHelp")}>
            <Input id="r-hostkey" name="hostKey" placeholder="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5…" required />
          </Field>
        )}
        {kind === "rest" && (
          <div className="grid gap-3 sm:grid-cols-3">
            <Field id="r-user" label={t("restUser")}>
              <Input id="r-user" name="restUser" autoComplete="off" required />
            </Field>
            <Field id="r-pass" label={t("restPassword")}>
              <Input id="r-pass" name="restPassword" type="password" autoComplete="new-password" required />
            </Field>
            <label className="flex items-center gap-2 pt-6 text-sm text-slate-800">
              <input type="checkbox" name="appendOnly" value="true" className="h-4 w-4" />
              {t("appendOnly")}
            </label>
          </div>
        )}
        {kind === "s3" && (
          <div className="grid gap-3 sm:grid-cols-2">
            <Field id="r-akid" label={t("accessKeyId")}>
              <Input id="r-akid" name="accessKeyId" autoComplete="off" required />
            </Field>
            <Field id="r-secret" label={t("secretAccessKey")}>
              <Input id="r-secret" name="secretAccessKey" type="password" autoComplete="new-password" required />
            </Field>
          </div>
        )}
        <Field id="r-password" label={t("existingPassword")} help={t("existingPasswordHelp")}>
          <Input id="r-password" name="password" type="password" autoComplete="new-password" />
        </Field>
        {error && <Alert tone="error">{error}</Alert>}
        {saved && (
          <Alert tone="success">
            {saved}
            {publicKey && <CopyableLine label={t("publicKey")} value={publicKey} copy={t("copy")} />}
          </Alert>
        )}
        <Button type="submit" variant="primary" disabled={busy}>
          {busy ? tf("saving") : t("save")}
        </Button>
      </form>
    </Card>
  );
}

/** A line to paste elsewhere (a public key), selectable whole, with a copy button. */
export function CopyableLine({ label, value, copy }: { label: string; value: string; copy: string }) {
  return (
    <span className="mt-2 flex items-start gap-2">
      <code aria-label={label} className="block flex-1 select-all break-all rounded bg-white/70 px-2 py-1 text-xs">
        {value}
      </code>
      <Button onClick={() => void navigator.clipboard?.writeText(value)}>{copy}</Button>
    </span>
  );
}

/** Which repository a policy writes into (none: encrypted files in its destination directory). */
export function PolicyRepositorySelect({
  policyId,
  current,
  repositories,
  which = "primary",
}: {
  policyId: string;
  current: string | null;
  repositories: { id: string; name: string }[];
  /** The primary repository, or the off-site copy. */
  which?: "primary" | "offsite";
}) {
  const t = useTranslations("repositories");
  const router = useRouter();
  const [value, setValue] = useState(current ?? "");
  const { run, pending: busy, error } = useAction();
  async function save() {
    await run(() => setPolicyRepositoryAction(policyId, value || null, which), { onDone: () => router.refresh() });
  }
  return (
    <div className="flex flex-wrap items-center gap-2">
      <label htmlFor={`repo-${which}-${policyId}`} className="sr-only">
        {which === "primary" ? t("policyRepository") : t("policyOffsite")}
      </label>
      <Select id={`repo-${which}-${policyId}`} value={value} onChange={(e) => setValue(e.target.value)}>
        <option value="">{which === "primary" ? t("filesFormat") : t("noOffsite")}</option>
        {repositories.map((r) => (
          <option key={r.id} value={r.id}>
            {r.name}
          </option>
        ))}
      </Select>
      <Button onClick={save} disabled={busy || value === (current ?? "")}>
        {busy ? t("applying") : t("apply")}
      </Button>
      {error && <Alert tone="error">{error}</Alert>}
    </div>
  );
}

/** The recovery kit: after a key touch, shown once and offered as a file; the panel keeps no copy. */
export function RecoveryKitButton({ repositoryId, name }: { repositoryId: string; name: string }) {
  const t = useTranslations("repositories");
  const [kit, setKit] = useState<{ fileName: string; text: string } | null>(null);
  return (
    <>
      <KeyConfirmButton
        label={t("kit")}
        title={t("kitTitle", { name })}
        action="repository.recovery_kit"
        params={{ repositoryId }}
        confirmLabel={t("kitConfirm")}
        run={(stepUp) => recoveryKitAction({ repositoryId }, stepUp)}
        onDone={(data) => setKit(data)}
      >
        <p className="text-sm text-slate-800">{t("kitBody")}</p>
      </KeyConfirmButton>
      <Dialog open={kit !== null} onClose={() => setKit(null)} title={t("kitShown", { name })} wide>
        {kit && (
          <div className="space-y-3">
            <Alert tone="warning">{t("kitWarning")}</Alert>
            <pre className="max-h-96 overflow-auto rounded-md border border-slate-200 bg-slate-50 p-3 font-mono text-xs text-slate-900">
              {kit.text}
            </pre>
            <div className="flex gap-2">
              <a
                href={`data:text/plain;charset=utf-8,${encodeURIComponent(kit.text)}`}
                download={kit.fileName}
                className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-900"
              >
                {t("kitDownload")}
              </a>
              <Button onClick={() => setKit(null)}>{t("kitHide")}</Button>
            </div>
          </div>
        )}
      </Dialog>
    </>
  );
}
