import { ShieldOff } from "lucide-react";
import { ButtonLink, EmptyState } from "@/components/ui";

/** Shown with HTTP 403 when a signed-in person's role does not allow a page. The refusal is audited. */
export default function Forbidden() {
  return (
    <main className="mx-auto max-w-xl px-6 py-16">
      <EmptyState
        icon={ShieldOff}
        title="Your role does not give access to this page"
        action={<ButtonLink href="/">Back to the dashboard</ButtonLink>}
      >
        Nothing was shown or changed. If you need this page for your work, ask an administrator of the panel.
      </EmptyState>
    </main>
  );
}
