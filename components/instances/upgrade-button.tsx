"use client";

import { useRouter } from "next/navigation";
import { upgradeAction } from "@/app/(dashboard)/instances/actions";
import { KeyConfirmButton } from "@/components/auth/key-confirm";

/** Upgrade to a newer version: what happens is said before the key touch. */
export function UpgradeButton({
  instanceId,
  instanceName,
  from,
  to,
  backupEstimate,
  releaseNotes,
}: {
  instanceId: string;
  instanceName: string;
  from: string;
  to: string;
  /** "about 1.2 GiB (last backup)" or null when there is no backup yet. */
  backupEstimate: string | null;
  releaseNotes: string;
}) {
  const router = useRouter();
  return (
    <KeyConfirmButton
      label={`Upgrade to ${to}…`}
      title={`Upgrade ${instanceName} from ${from} to ${to}?`}
      action="instance.upgrade"
      params={{ instanceId, version: to }}
      variant="primary"
      confirmLabel="Upgrade, confirm with my key"
      run={(stepUp) => upgradeAction({ instanceId, version: to }, stepUp)}
      onDone={(data) => router.push(`/operations/${data.operationId}`)}
    >
      <div className="space-y-2 text-sm text-slate-800">
        <ol className="list-decimal space-y-1 pl-5">
          <li>Checks: the version exists, eLabFTW is healthy and its schema in sync, there is disk space.</li>
          <li>
            A backup, verified by loading it into a throw-away database
            {backupEstimate ? ` (${backupEstimate})` : ""}. Nothing changes before it has passed.
          </li>
          <li>The {to} image is pulled while eLabFTW keeps running.</li>
          <li>
            eLabFTW stops (downtime starts), the container is recreated on {to} with the same settings, the schema is
            migrated, and the result is checked.
          </li>
        </ol>
        <p className="font-medium">
          If any step fails, the panel puts {from} back and, if a migration ran, the database from the backup.
        </p>
        <p>
          <a href={releaseNotes} className="text-sky-800 underline" target="_blank" rel="noreferrer">
            Release notes of {to}
          </a>
        </p>
      </div>
    </KeyConfirmButton>
  );
}
