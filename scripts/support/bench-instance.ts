/**
 * An eLabFTW instance on the test engine filled as a real unit's is: a database of HTML rows
 * (~8 KiB protocols with tables and lists, doubled until the size is reached) and uploads of many
 * small text files (a fifth), large incompressible scans (two fifths) and large compressible exports
 * (two fifths), owned by eLabFTW's uid; adopted into the panel's inventory.
 */
import type { KeyRing } from "../../lib/crypto";
import { execCapture, type DockerClient } from "../../lib/docker";
import type { Db } from "../../lib/server/db/client";
import { freshSchema, init, rootSql, startDatabase, startWeb } from "../../test/support/elabftw";
import { adoptOnTestEngine } from "../../test/support/instances";

export async function filledInstance(
  engine: DockerClient,
  db: Db,
  ring: KeyRing,
  options: { run: string; name: string; unit: string; databaseMiB: number; uploadsMiB: number },
) {
  const { run, databaseMiB, uploadsMiB } = options;
  const uploadsVolume = `${run}-uploads`;
  const mysql = await startDatabase(engine, run);
  const schema = await freshSchema(engine, mysql);
  const web = await startWeb(engine, run, mysql, {
    image: "elabftw/elabimg:5.1.0",
    database: schema,
    secretKey: "def00000" + "f".repeat(120),
    uploadsVolume,
  });
  await init(engine, web, "db:install");
  const databaseId = (await engine.api.getContainer(mysql.container).inspect()).Id;

  const rows = Math.max(1, Math.round((databaseMiB * 1024) / 8));
  await rootSql(
    engine,
    mysql,
    `INSERT INTO experiments (title, body, date, userid) VALUES ('Protocole', CONCAT('<h1>Protocole</h1>', REPEAT(CONCAT('<p>Incubation à 37&nbsp;°C pendant <strong>', FLOOR(RAND()*90), ' min</strong>, tampon ', MD5(RAND()), '</p><table><tr><td>échantillon</td><td>', RAND(), '</td></tr></table>'), 40)), CURDATE(), 1);`,
    schema,
  );
  for (let n = 1; n < rows; n *= 2) {
    await rootSql(
      engine,
      mysql,
      `INSERT INTO experiments (title, body, date, userid) SELECT CONCAT('Exp ', MD5(RAND())), CONCAT('<p>', MD5(RAND()), '</p>', body), date, userid FROM experiments LIMIT ${Math.min(n, rows - n)};`,
      schema,
    );
  }
  // A fifth in many small files (4-64 KiB of text), two fifths large incompressible, two fifths large compressible.
  const smallFiles = Math.round((uploadsMiB * 1024) / 5 / 34);
  const large = Math.max(1, Math.round((uploadsMiB * 2) / 5 / 32));
  await execCapture(engine, web, {
    cmd: [
      "sh",
      "-c",
      [
        `i=0; while [ $i -lt ${smallFiles} ]; do d=/elabftw/uploads/$((i % 64)); mkdir -p $d; head -c $(( (i % 61 + 4) * 1024 )) /dev/urandom | base64 > $d/note$i.txt; i=$((i+1)); done`,
        `i=0; while [ $i -lt ${large} ]; do dd if=/dev/urandom of=/elabftw/uploads/scan$i.png bs=1M count=32 status=none; i=$((i+1)); done`,
        `i=0; while [ $i -lt ${large} ]; do yes "<tr><td>mesure $i</td><td>0.$i</td></tr>" | head -c 33554432 > /elabftw/uploads/export$i.csv; i=$((i+1)); done`,
        "chown -R 101:101 /elabftw/uploads",
      ].join("; "),
    ],
  });

  const context = { ip: "127.0.0.1", userAgent: "bench" };
  const adopted = await adoptOnTestEngine(db, ring, context, {
    email: `${options.name}@unit.example`,
    role: "admin",
    unit: { code: options.unit, name: options.unit },
    name: options.name,
    web,
    mysql,
    schema,
    uploads: uploadsVolume,
  });
  return { ...adopted, context, web, mysql, schema, uploadsVolume, databaseId, smallFiles, largeFiles: large * 2 };
}
