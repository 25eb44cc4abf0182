"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { saveMailSettingsAction, sendTestMailAction } from "@/app/(dashboard)/settings/actions";
import { Alert, Button, Field, Input, Select } from "@/components/ui";

export interface MailSettingsView {
  host: string;
  port: number;
  security: "tls" | "starttls" | "none";
  username: string;
  from: string;
  hasPassword: boolean;
}

/** The mail server for backup alerts: checked by the panel, the password never shown again. */
export function MailSettingsForm({ current, canEdit }: { current: MailSettingsView | null; canEdit: boolean }) {
  const router = useRouter();
  const [busy, setBusy] = useState<"save" | "test" | null>(null);
  const [message, setMessage] = useState<{ tone: "error" | "success"; text: string } | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = Object.fromEntries(new FormData(form)) as Record<string, string>;
    setBusy("save");
    setMessage(null);
    const result = await saveMailSettingsAction({ ...data, keepPassword: data.clearPassword ? "false" : "true" });
    setBusy(null);
    if (!result.ok) return setMessage({ tone: "error", text: result.message });
    // The password is never shown again, not even the one just typed.
    const password = form.elements.namedItem("password");
    if (password instanceof HTMLInputElement) password.value = "";
    setMessage({ tone: "success", text: "Saved. Send a test mail to check that it arrives." });
    router.refresh();
  }

  async function onTest() {
    setBusy("test");
    setMessage(null);
    const result = await sendTestMailAction();
    setBusy(null);
    if (!result.ok) return setMessage({ tone: "error", text: result.message });
    setMessage({ tone: "success", text: `Test mail accepted by the server for ${result.data.to}.` });
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4">
      <fieldset disabled={!canEdit || busy !== null} className="grid gap-3 sm:grid-cols-4">
        <Field id="m-host" label="Mail server">
          <Input id="m-host" name="host" defaultValue={current?.host ?? ""} placeholder="smtp.unit.example" required />
        </Field>
        <Field id="m-port" label="Port">
          <Input id="m-port" name="port" defaultValue={String(current?.port ?? 587)} inputMode="numeric" required />
        </Field>
        <Field id="m-security" label="Security">
          <Select id="m-security" name="security" defaultValue={current?.security ?? "starttls"}>
            <option value="starttls">STARTTLS (port 587)</option>
            <option value="tls">TLS from the start (port 465)</option>
            <option value="none">None (a relay on the local network)</option>
          </Select>
        </Field>
        <Field id="m-from" label="Sender">
          <Input
            id="m-from"
            name="from"
            defaultValue={current?.from ?? ""}
            placeholder="Paillasse <paillasse@unit.example>"
            required
          />
        </Field>
        <Field id="m-user" label="User name" help="Empty: the server takes mail without signing in.">
          <Input id="m-user" name="username" defaultValue={current?.username ?? ""} autoComplete="off" />
        </Field>
        <Field
          id="m-password"
          label="Password"
          help={current?.hasPassword ? "A password is saved; leave empty to keep it." : "Stored encrypted."}
        >
          <Input id="m-password" name="password" type="password" autoComplete="new-password" />
        </Field>
        {current?.hasPassword && (
          <label className="flex items-center gap-2 self-end pb-2 text-sm text-slate-700">
            <input type="checkbox" name="clearPassword" value="1" /> Forget the saved password
          </label>
        )}
      </fieldset>
      {message && <Alert tone={message.tone}>{message.text}</Alert>}
      {canEdit && (
        <div className="flex gap-2">
          <Button type="submit" variant="primary" disabled={busy !== null}>
            {busy === "save" ? "Checking and saving…" : "Save"}
          </Button>
          <Button type="button" onClick={onTest} disabled={busy !== null || !current}>
            {busy === "test" ? "Sending…" : "Send a test mail to me"}
          </Button>
        </div>
      )}
    </form>
  );
}
