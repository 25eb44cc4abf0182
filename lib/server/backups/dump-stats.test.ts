import { describe, expect, it } from "vitest";
import { DumpStatsCollector } from "./dump-stats";

async function read(text: string, chunkSize = 7) {
  const collector = new DumpStatsCollector();
  const data = Buffer.from(text, "utf8");
  for (let i = 0; i < data.length; i += chunkSize) {
    await new Promise<void>((resolve, reject) =>
      collector.write(data.subarray(i, i + chunkSize), (e) => (e ? reject(e) : resolve())),
    );
  }
  await new Promise<void>((resolve) => collector.end(resolve));
  return collector.stats;
}

const DUMP = [
  "-- MySQL dump 10.13",
  "CREATE TABLE `config` (",
  "  `conf_name` varchar(255) NOT NULL",
  ") ENGINE=InnoDB;",
  "INSERT INTO `config` VALUES ('schema','165'),('smtp','a),(b'),('q','it\\'s (x)');",
  "CREATE TABLE `empty_one` (`id` int);",
  "CREATE TABLE `experiments` (`id` int);",
  "INSERT INTO `experiments` VALUES (1,'t(1)',0x2829),(2,'\\\\',NULL);",
  "INSERT INTO `experiments` VALUES (3,'x',NULL);",
  "/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;",
  "",
  "-- Dump completed on 2026-12-01 20:00:00",
  "",
].join("\n");

describe("reading a mysqldump stream", () => {
  it("lists the tables and counts the rows, strings and escapes included", async () => {
    for (const size of [1, 7, 64, 100_000]) {
      const stats = await read(DUMP, size);
      expect(stats.tables).toEqual({ config: 3, empty_one: 0, experiments: 3 });
      expect(stats.completed).toBe(true);
      expect(stats.bytes).toBe(Buffer.byteLength(DUMP));
    }
  });

  it("reads MariaDB's one-row-per-line statements too", async () => {
    const mariadb = [
      "CREATE TABLE `experiments` (`id` int);",
      "INSERT INTO `experiments` VALUES",
      "(1,'a),(b;','it\\'s \\\\ (x)'),",
      "(2,'line\\nbreak;',NULL);",
      "INSERT INTO `t2` VALUES",
      "(1);",
      "-- Dump completed on 2026-12-01 20:00:00",
    ].join("\n");
    for (const size of [1, 5, 4096]) {
      expect((await read(mariadb, size)).tables).toEqual({ experiments: 2, t2: 1 });
    }
  });

  it("notices a dump without its trailer (cut short)", async () => {
    const cut = DUMP.slice(0, DUMP.indexOf("-- Dump completed"));
    expect((await read(cut)).completed).toBe(false);
    expect((await read(DUMP.replace("-- Dump completed", "-- Dump interrupted"))).completed).toBe(false);
  });
});
