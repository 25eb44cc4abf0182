import { ButtonLink, EmptyState } from "@/components/ui";
import { FileQuestion } from "lucide-react";

export default function NotFound() {
  return (
    <main className="mx-auto max-w-xl px-6 py-16">
      <EmptyState
        icon={FileQuestion}
        title="This page does not exist"
        action={<ButtonLink href="/">Back to the dashboard</ButtonLink>}
      >
        The address may be mistyped, or the item it pointed to was removed.
      </EmptyState>
    </main>
  );
}
