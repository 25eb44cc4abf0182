import { describe, expect, it } from "vitest";
import { releaseTraits, requiredSchemaFor } from "./elabftw-releases";

describe("the schema each release requires, known without a database", () => {
  it("reads the table at its edges", () => {
    expect(requiredSchemaFor("5.0.4")).toBe(144);
    expect(requiredSchemaFor("5.1.0")).toBe(165);
    expect(requiredSchemaFor("5.1.7")).toBe(165);
    expect(requiredSchemaFor("5.1.8")).toBe(166);
    expect(requiredSchemaFor("5.3.0")).toBe(185);
    expect(requiredSchemaFor("5.3.2")).toBe(186);
    expect(requiredSchemaFor("5.5.14")).toBe(206);
    expect(requiredSchemaFor("5.6.12")).toBe(217);
    expect(requiredSchemaFor("6.0.0-alpha")).toBe(220);
    expect(requiredSchemaFor("6.0.0-alpha4")).toBe(223);
  });

  it("says nothing of a release it does not know, nor of what is not a version", () => {
    for (const v of ["4.9.0", "5.0.5", "5.6.13", "6.0.0", "7.0.0", "latest", "", null, undefined, "5.1"]) {
      expect(requiredSchemaFor(v), String(v)).toBeNull();
    }
  });
});

describe("what differs between releases, in one table", () => {
  it("gives 5.0.4 and 5.1.0 the traits ELABFTW.md describes", () => {
    for (const v of ["5.0.4", "5.1.0"]) {
      expect(releaseTraits(v)).toMatchObject({
        updateDone: "all-done",
        almostThereStatus: 200,
        imageVersionLabel: true,
        maintenanceMode: false,
        rollsBackFailedMigration: false,
        layout: { containerPort: 443, uploads: "/elabftw/uploads", runsAs: "root", readOnlyRoot: false },
        mysql: { referenceImage: "mysql:8.0" },
      });
    }
  });

  it("changes each trait at the release that changed it, and only there", () => {
    expect(releaseTraits("5.2.8")?.mysql.referenceImage).toBe("mysql:8.0");
    expect(releaseTraits("5.3.0")?.mysql.referenceImage).toBe("mysql:8.4");
    expect(releaseTraits("5.4.6")?.updateDone).toBe("all-done");
    expect(releaseTraits("5.5.0")?.updateDone).toBe("updated-to-schema");
    expect(releaseTraits("5.5.2")?.maintenanceMode).toBe(false);
    expect(releaseTraits("5.5.3")?.maintenanceMode).toBe(true);
    expect(releaseTraits("5.5.14")?.imageVersionLabel).toBe(true);
    expect(releaseTraits("5.6.0")?.imageVersionLabel).toBe(false);
    // Read at the tags: die() (HTTP 200) up to 5.5.13, a 500 response from 5.5.14 and 5.6.0 (E #6887).
    expect(releaseTraits("5.5.13")?.almostThereStatus).toBe(200);
    expect(releaseTraits("5.5.14")?.almostThereStatus).toBe(500);
    const late5 = releaseTraits("5.6.12")!;
    expect(late5.layout.containerPort).toBe(443);
    expect(late5.almostThereStatus).toBe(500);
    expect(late5.rollsBackFailedMigration).toBe(false);
  });

  it("gives 6.0 its new layout, pre-releases included, and keeps what 5.x changed", () => {
    for (const v of ["6.0.0-alpha", "6.0.0-alpha4", "6.0.0", "6.1.2"]) {
      const t = releaseTraits(v)!;
      expect(t.layout).toMatchObject({
        containerPort: 8080,
        uploads: "/var/lib/elabftw/uploads",
        exports: "/var/lib/elabftw/exports",
        cache: "/var/cache/elabftw",
        runsAs: "user",
        readOnlyRoot: true,
      });
      expect(t.layout.removedEnv).toContain("ELABFTW_USERID");
      expect(t).toMatchObject({
        almostThereStatus: 500,
        rollsBackFailedMigration: true,
        updateDone: "updated-to-schema",
        maintenanceMode: true,
        imageVersionLabel: false,
      });
    }
  });

  it("knows nothing of what is not a supported version", () => {
    for (const v of ["4.9.0", "latest", "", null, undefined, "5.1"]) expect(releaseTraits(v), String(v)).toBeNull();
  });
});
