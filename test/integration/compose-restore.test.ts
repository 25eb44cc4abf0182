import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DockerClient } from "../../lib/docker";
import { removeWrittenFiles, writeComposeBack } from "../../lib/server/recover/compose-restore";
import { BUSYBOX, testEngine } from "../support/docker";

const TEXT = `services:
  web:
    image: elabftw/elabimg:5.1.0 # pinned
    environment:
      - SITE_URL=https://elab.old.example
    ports:
      - "443:443"
`;

/**
 * A recovery puts the compose file back on the new host through the engine (a helper container, the
 * archive API), never over a file that is there: the cases a recovered host really has.
 */
describe("compose files put back by a recovery", () => {
  let engine: DockerClient;
  const work = mkdtempSync(path.join(tmpdir(), "paillasse-compose-back-"));
  const file = path.join(work, "srv", "elab", "docker-compose.yml");
  const recorded = { service: "web", files: [{ path: file, text: TEXT }] };

  beforeAll(async () => {
    engine = await testEngine();
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("writes a missing file at its path with the new address, finds it identical the next time, and undoes it", async () => {
    const adjust = { siteUrl: "https://elab.new.example", publishedPort: 8443 };
    const first = await writeComposeBack(engine, BUSYBOX, recorded, adjust, 443, "abcd1234");
    expect(first).toEqual({ claimed: true, written: [file], identical: [] });
    const expected = TEXT.replace("elab.old.example", "elab.new.example").replace('"443:443"', '"8443:443"');
    expect(readFileSync(file, "utf8")).toBe(expected);
    expect(await writeComposeBack(engine, BUSYBOX, recorded, adjust, 443, "abcd1234")).toEqual({
      claimed: true,
      written: [],
      identical: [file],
    });
    await removeWrittenFiles(engine, BUSYBOX, first.written);
    expect(existsSync(file)).toBe(false);
  });

  it("never overwrites another file: the recorded one goes beside, and the containers are not claimed", async () => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, "# another instance's file\n");
    const outcome = await writeComposeBack(engine, BUSYBOX, recorded, {}, 443, "abcd1234");
    expect(outcome).toEqual({
      claimed: false,
      written: [`${file}.recovered-abcd1234`],
      reason: `${file} is already on this host with another content`,
    });
    expect(readFileSync(file, "utf8")).toBe("# another instance's file\n");
    expect(readFileSync(`${file}.recovered-abcd1234`, "utf8")).toBe(TEXT);
    rmSync(path.dirname(file), { recursive: true });
  });

  it("an address it cannot write in the file itself (SITE_URL from a variable): beside, and says why", async () => {
    const variable = { service: "web", files: [{ path: file, text: TEXT.replace(/SITE_URL=.*/, "SITE_URL=${URL}") }] };
    const outcome = await writeComposeBack(engine, BUSYBOX, variable, { siteUrl: "https://x.example" }, 443, "ef56");
    expect(outcome).toMatchObject({ claimed: false, written: [`${file}.recovered-ef56`] });
    expect(outcome.claimed === false && outcome.reason).toMatch(/SITE_URL comes from a variable/);
    expect(existsSync(file)).toBe(false);
  });
});
