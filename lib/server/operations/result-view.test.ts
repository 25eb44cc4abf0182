import { describe, expect, it } from "vitest";
import { asMessage, msg } from "../../i18n/message";
import { localizeServerText } from "../../i18n/server-messages";
import { readOperationFailure, readOperationResult } from "./result-view";

describe("what the operation page reads from an operation", () => {
  it("reads the results it shows, and a part written in another shape as absent, never misread", () => {
    const result = readOperationResult({
      commit: { downtimeMs: 1622, backupId: "b1", version: "5.1.0", schema: 165 },
      backup: { backupId: "b1" },
      pull: { digest: "sha256:…" },
    });
    expect(result.commit).toEqual({ downtimeMs: 1622, backupId: "b1", version: "5.1.0", schema: 165 });
    expect(result.backup?.backupId).toBe("b1");
    // A commit result of another shape: no downtime figure rather than a wrong one; the rest still reads.
    const odd = readOperationResult({
      commit: { downtime: "2 s" },
      register: { registerUrl: "https://elab/register" },
    });
    expect(odd.commit).toBeUndefined();
    expect(odd.register?.registerUrl).toBe("https://elab/register");
    expect(readOperationResult(null)).toEqual({});
    expect(readOperationResult("garbage")).toEqual({});
  });

  it("splits a journaled failure into the step's title and what happened, each rendered by id", () => {
    // As the journal stores it (lib/server/operations/journal.ts), through JSON.
    const stored = JSON.parse(
      JSON.stringify(
        msg`${asMessage("Pre-flight checks")}: ${msg`The instance is not healthy: ${"healthcheck.php answered ko"}.`}`,
      ),
    );
    const failure = readOperationFailure(stored)!;
    expect(failure.stepTitle).toBe("Pre-flight checks");
    expect(localizeServerText(failure.what, "fr")).toBe(
      "L'instance n'est pas en bonne santé : healthcheck.php answered ko.",
    );
    expect(readOperationFailure(null)).toBeNull();
    expect(readOperationFailure({ id: 3 })).toBeNull();
    expect(readOperationFailure("Plain English from an older panel.")).toEqual({
      stepTitle: null,
      what: "Plain English from an older panel.",
    });
  });
});
