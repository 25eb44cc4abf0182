"use client";

import { AlertTriangle } from "lucide-react";
import { Button, EmptyState } from "@/components/ui";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="mx-auto max-w-xl px-6 py-16">
      <EmptyState
        icon={AlertTriangle}
        title="This page could not be loaded"
        action={<Button onClick={reset}>Try again</Button>}
      >
        The panel hit an error while preparing it (often: its database is not reachable). The panel&apos;s log has the
        details
        {error.digest ? ` under reference ${error.digest}` : ""}.
      </EmptyState>
    </main>
  );
}
