import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findMailSettings, MAIL_SETTING } from "../../lib/server/alerts/mail-settings";
import { findSyslogSettings, SYSLOG_SETTING } from "../../lib/server/audit/syslog";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { readTagCache, TAGS_SETTING } from "../../lib/server/registry/tag-cache";
import { useFreshDatabase } from "../support/fresh-database";

/**
 * Settings are JSON rows read through their schema: a row in a shape this
 * panel does not know (written by another version, or edited by hand) is
 * refused with what to do, never used half-read; a cache the panel rebuilds
 * itself reads as empty.
 */
describe("stored settings", () => {
  const database = useFreshDatabase("stored_settings", { migrated: true });
  let db: Db;
  beforeAll(() => {
    db = createPrismaClient(database.url);
  });
  afterAll(async () => {
    await db?.$disconnect();
  });

  it("refuses a setting in an unknown shape, and reads a rebuilt cache as empty", async () => {
    await db.setting.create({ data: { key: MAIL_SETTING, value: { host: "smtp.unit.example", port: "25" } } });
    await expect(findMailSettings(db)).rejects.toThrow(
      `The stored setting ${MAIL_SETTING} is not in a shape this panel reads.`,
    );
    await db.setting.create({ data: { key: SYSLOG_SETTING, value: ["udp", "collector", 514] } });
    await expect(findSyslogSettings(db)).rejects.toMatchObject({ hint: "Save it again on the Settings page." });
    await db.setting.create({ data: { key: TAGS_SETTING, value: { "elabftw/elabimg": { tags: "5.1.0" } } } });
    expect(await readTagCache(db)).toEqual({});
    // A well-formed row reads back as stored, with defaults for what older versions did not write.
    await db.setting.update({
      where: { key: MAIL_SETTING },
      data: {
        value: { host: "smtp.unit.example", port: 25, security: "none", username: "", from: "p@unit.example" },
      },
    });
    expect(await findMailSettings(db)).toEqual({
      host: "smtp.unit.example",
      port: 25,
      security: "none",
      username: "",
      from: "p@unit.example",
      hasPassword: false,
    });
  });
});
