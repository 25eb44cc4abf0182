import { describe, expect, it } from "vitest";
import { englishText } from "../../i18n/message";
import type { OpenedRepository } from "./repository-secrets";
import { fromRepositoryAccess, masker, RESTIC_EXIT, resticFailure, resticReason } from "./restic";
import { tagArgs } from "./snapshots";

const rest: OpenedRepository = {
  id: "r1",
  name: "off-site",
  kind: "rest",
  location: "rest:https://backup.unit.example:8000/umr1/",
  hostId: null,
  appendOnly: true,
  secrets: { password: "repo-password-123", restUser: "umr1", restPassword: "p@ss:w/rd" },
};

describe("the restic driver's words", () => {
  it("takes restic's Fatal line as the reason, else its last line, else the exit code", () => {
    expect(
      resticReason({ exitCode: 1, stderr: "reading index\nFatal: unable to open config file: no such file\n" }),
    ).toBe("unable to open config file: no such file");
    expect(resticReason({ exitCode: 1, stderr: "one\nthe last words\n" })).toBe("the last words");
    expect(resticReason({ exitCode: 3, stderr: "" })).toBe("exit code 3");
  });

  it("says what to do for the exit codes that have a known cause", () => {
    const text = (code: number) =>
      englishText(
        resticFailure("lab filer", "The snapshot", { exitCode: code, stderr: "Fatal: x", errors: ["/a: denied"] }).text,
      );
    expect(text(RESTIC_EXIT.wrongPassword)).toBe("The panel's password does not open repository lab filer.");
    expect(text(RESTIC_EXIT.locked)).toMatch(/is locked by another run/);
    expect(text(RESTIC_EXIT.noRepository)).toMatch(/does not exist or cannot be opened/);
    expect(text(RESTIC_EXIT.incomplete)).toMatch(
      /The snapshot is incomplete: restic could not read 1 item\(s\), e.g. \/a: denied/,
    );
    expect(text(RESTIC_EXIT.fatal)).toBe("The snapshot failed in repository lab filer: x.");
  });

  it("masks every secret of the repository in what it reports", () => {
    const mask = masker(rest);
    // The user name too: it is stored with the secrets, and hiding it costs nothing.
    expect(mask("auth repo-password-123 for umr1 with p@ss:w/rd")).toBe("auth *** for *** with ***");
  });

  it("gives the source of a copy its credentials in its own address, encoded, never in the destination's variables", () => {
    const access = fromRepositoryAccess(rest);
    expect(access.env).toEqual({
      RESTIC_FROM_PASSWORD: "repo-password-123",
      RESTIC_FROM_REPOSITORY: "rest:https://umr1:p%40ss%3Aw%2Frd@backup.unit.example:8000/umr1/",
    });
    const dir = fromRepositoryAccess({ ...rest, kind: "host_directory", location: "/srv/backups/umr1" });
    expect(dir.env.RESTIC_FROM_REPOSITORY).toBe("/from-repository");
    expect(dir.mounts).toEqual([
      { type: "bind", source: "/srv/backups/umr1", destination: "/from-repository", readOnly: false },
    ]);
  });

  it("tags a snapshot with what is known, one --tag each, and leaves out what is not", () => {
    expect(tagArgs({ instance: "elab", unit: "UMR1", trigger: "manual", version: null, schema: 165 })).toEqual([
      "--tag",
      "instance=elab",
      "--tag",
      "unit=UMR1",
      "--tag",
      "trigger=manual",
      "--tag",
      "schema=165",
    ]);
  });
});
