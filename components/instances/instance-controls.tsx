"use client";

import { RefreshCw } from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { checkRegistryAction, checkUpdatesAction, observeAction } from "@/app/(dashboard)/instances/actions";
import { Alert, Button } from "@/components/ui";

/** "Check now": looks at the instance through its containers; runs once when the page opens. */
export function ObserveButton({ instanceId, auto }: { instanceId: string; auto: boolean }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);

  async function run() {
    setBusy(true);
    setError(null);
    const result = await observeAction(instanceId);
    setBusy(false);
    if (!result.ok) setError(result.message);
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
        {busy ? "Checking health and schema…" : "Check now"}
      </Button>
      {error && <Alert tone="error">{error}</Alert>}
    </div>
  );
}

/** Ask the registry now: for one instance's image, or (no instance) for the eLabFTW versions to deploy. */
export function CheckUpdatesButton({
  instanceId,
  label = "Check for updates",
}: {
  instanceId?: string;
  label?: string;
}) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function run() {
    setBusy(true);
    setError(null);
    const result = instanceId ? await checkUpdatesAction(instanceId) : await checkRegistryAction();
    setBusy(false);
    if (!result.ok) setError(result.message);
    router.refresh();
  }
  return (
    <span className="inline-flex flex-col gap-1">
      <Button onClick={run} disabled={busy}>
        {busy ? "Asking the registry…" : label}
      </Button>
      {error && <Alert tone="error">{error}</Alert>}
    </span>
  );
}
