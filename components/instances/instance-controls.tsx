"use client";

import { RefreshCw } from "lucide-react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useEffect, useRef, useState } from "react";
import {
  checkRegistryAction,
  checkUpdatesAction,
  observeAction,
  setApiKeyAction,
} from "@/app/(dashboard)/instances/actions";
import { Alert, Button, Field, Input } from "@/components/ui";
import { useAction } from "@/components/use-action";

/** "Check now": looks at the instance through its containers; runs once when the page opens. */
export function ObserveButton({ instanceId, auto }: { instanceId: string; auto: boolean }) {
  const router = useRouter();
  const t = useTranslations("controls");
  const { run: attempt, pending: busy, error } = useAction();
  const started = useRef(false);

  async function run() {
    await attempt(() => observeAction(instanceId));
    router.refresh();
  }
  useEffect(() => {
    if (auto && !started.current) {
      started.current = true;
      void run();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [auto]);

  return (
    <div className="flex flex-col items-end gap-2">
      <Button onClick={run} disabled={busy}>
        <RefreshCw aria-hidden className={busy ? "size-4 animate-spin" : "size-4"} />
        {busy ? t("checking") : t("checkNow")}
      </Button>
      {error && <Alert tone="error">{error}</Alert>}
    </div>
  );
}

/** Ask the registry now: for one instance's image, or (no instance) for the eLabFTW versions to deploy. */
export function CheckUpdatesButton({ instanceId, label }: { instanceId?: string; label?: string }) {
  const router = useRouter();
  const t = useTranslations("controls");
  const { run: attempt, pending: busy, error } = useAction();
  async function run() {
    await attempt(() => (instanceId ? checkUpdatesAction(instanceId) : checkRegistryAction()));
    router.refresh();
  }
  return (
    <span className="inline-flex flex-col gap-1">
      <Button onClick={run} disabled={busy}>
        {busy ? t("asking") : (label ?? t("checkUpdates"))}
      </Button>
      {error && <Alert tone="error">{error}</Alert>}
    </span>
  );
}

/** Set, replace or remove the eLabFTW API key used for usage figures (tried before it is kept). */
export function ApiKeyForm({ instanceId, configured }: { instanceId: string; configured: boolean }) {
  const router = useRouter();
  const t = useTranslations("controls");
  const tc = useTranslations("common");
  const [open, setOpen] = useState(!configured);
  const [value, setValue] = useState("");
  const { run, running: busy, error } = useAction();
  async function save(apiKey: string | null) {
    await run(() => setApiKeyAction(instanceId, apiKey), {
      doing: apiKey ? t("trying") : t("removing"),
      onDone: () => {
        setValue("");
        setOpen(false);
        router.refresh();
      },
    });
  }
  if (!open) {
    return (
      <div className="flex gap-2">
        <Button onClick={() => setOpen(true)}>{t("replaceKey")}</Button>
        <Button variant="ghost" onClick={() => save(null)} disabled={!!busy}>
          {busy ?? t("removeKey")}
        </Button>
        {error && <Alert tone="error">{error}</Alert>}
      </div>
    );
  }
  return (
    <form
      className="space-y-2"
      onSubmit={(e) => {
        e.preventDefault();
        void save(value);
      }}
    >
      <Field id={`api-key-${instanceId}`} label={t("apiKey")} help={t("apiKeyHelp")}>
        <Input
          id={`api-key-${instanceId}`}
          type="password"
          autoComplete="off"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          placeholder="3-4f0c…"
        />
      </Field>
      <div className="flex gap-2">
        <Button type="submit" variant="primary" disabled={!!busy || !value}>
          {busy ?? t("saveKey")}
        </Button>
        {configured && (
          <Button onClick={() => setOpen(false)} disabled={!!busy}>
            {tc("cancel")}
          </Button>
        )}
      </div>
      {error && <Alert tone="error">{error}</Alert>}
    </form>
  );
}
