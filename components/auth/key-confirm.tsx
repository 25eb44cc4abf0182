"use client";

import { startAuthentication } from "@simplewebauthn/browser";
import { KeyRound } from "lucide-react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState, type ReactNode } from "react";
import { Alert, Button, Dialog } from "@/components/ui";
import type { ActionResult } from "@/lib/server/action-result";
import { useAction } from "@/components/use-action";
import { ceremonyErrorMessage, pageTranslator } from "./ceremony";

/**
 * Ask the panel for a key touch bound to `action` and `params`, and get it
 * from the person's security key. The returned assertion is handed to the
 * server action, which checks it against the same action and parameters.
 */
export async function touchKeyFor(action: string, params: unknown): Promise<string> {
  const res = await fetch("/api/webauthn/step-up", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ action, params }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.message ?? pageTranslator("ceremony")("cannotAsk"));
  return JSON.stringify(await startAuthentication({ optionsJSON: body }));
}

/** Touch the key for `action`, then run the server action with the touch. Throws the readable error. */
export async function withKeyTouch<T>(
  action: string,
  params: unknown,
  run: (stepUp: string) => Promise<ActionResult<T>>,
): Promise<T> {
  let stepUp: string;
  try {
    stepUp = await touchKeyFor(action, params);
  } catch (error) {
    throw new Error(ceremonyErrorMessage(error, pageTranslator("ceremony")("nothingChanged")));
  }
  const result = await run(stepUp);
  if (!result.ok) throw new Error(result.message);
  return result.data;
}

/**
 * A button for a dangerous action: it opens a dialog saying what will happen,
 * and the action runs only after "Confirm with my key" and a fresh touch.
 */
export function KeyConfirmButton<T>({
  label,
  title,
  children,
  action,
  params,
  run,
  onDone,
  variant = "secondary",
  confirmLabel,
  disabled,
  confirmDisabled,
}: {
  label: string;
  title: string;
  children: ReactNode;
  action: string;
  params: unknown;
  run: (stepUp: string) => Promise<ActionResult<T>>;
  onDone?: (data: T) => void;
  variant?: "secondary" | "danger" | "primary";
  confirmLabel?: string;
  disabled?: boolean;
  /** The dialog says why the action cannot be confirmed (the button stays greyed). */
  confirmDisabled?: boolean;
}) {
  const router = useRouter();
  const t = useTranslations();
  const [open, setOpen] = useState(false);
  const { run: attempt, pending: busy, error } = useAction();

  async function confirm() {
    await attempt(() => withKeyTouch(action, params, run), {
      onDone: (data) => {
        setOpen(false);
        onDone?.(data);
        router.refresh();
      },
    });
  }

  return (
    <>
      <Button variant={variant} onClick={() => setOpen(true)} disabled={disabled}>
        {label}
      </Button>
      <Dialog open={open} onClose={() => !busy && setOpen(false)} title={title}>
        <div className="space-y-3">
          <div>{children}</div>
          {error && <Alert tone="error">{error}</Alert>}
          <div className="flex justify-end gap-2 pt-1">
            <Button onClick={() => setOpen(false)} disabled={busy}>
              {t("common.cancel")}
            </Button>
            <Button
              variant={variant === "danger" ? "danger" : "primary"}
              onClick={confirm}
              disabled={busy || confirmDisabled}
            >
              <KeyRound aria-hidden className="size-4" />
              {busy ? t("keyConfirm.touch") : (confirmLabel ?? t("keyConfirm.confirm"))}
            </Button>
          </div>
        </div>
      </Dialog>
    </>
  );
}
