import { VerificationFailure } from "../restore-point";
import { uploadRowProblem, UploadTree } from "../upload-tree";
import { msg } from "../../../i18n/message";
import type { VerifyEnv, VerifyStepBody } from "./env";

/** The loaded database matches the manifest: tables, row counts, schema, and every upload row has its file. */
export function compareStep({
  dbClient,
  mysql,
  loaded,
  source,
  expectedTables: recordedTables,
}: VerifyEnv): VerifyStepBody {
  return {
    async run(ctx) {
      const dump = await source();
      const manifest = { database: { tables: await recordedTables() }, schema: dump.schema };
      const client = await dbClient();
      const { password } = loaded();
      const tablesOut = await mysql(client, password, "SHOW TABLES");
      const tables = tablesOut.stdout.split("\n").filter(Boolean).sort();
      const expectedTables = Object.keys(manifest.database.tables).sort();
      if (JSON.stringify(tables) !== JSON.stringify(expectedTables)) {
        const missing = expectedTables.filter((t) => !tables.includes(t));
        const extra = tables.filter((t) => !expectedTables.includes(t));
        throw new VerificationFailure(
          msg`The tables differ from the manifest (missing: ${missing.join(", ") || "none"}; unexpected: ${extra.join(", ") || "none"}).`,
        );
      }
      const counts: Record<string, number> = {};
      if (tables.length) {
        const query = tables
          .map((t) => `SELECT '${t}', COUNT(*) FROM \`${t.replace(/`/g, "``")}\``)
          .join(" UNION ALL ");
        const out = await mysql(client, password, query);
        for (const line of out.stdout.split("\n").filter(Boolean)) {
          const [table, count] = line.split("\t");
          counts[table!] = Number(count);
        }
      }
      const differing = tables.filter((t) => counts[t] !== manifest.database.tables[t]);
      if (differing.length) {
        throw new VerificationFailure(
          msg`Row counts differ from the manifest in ${differing.length} table(s): ${differing
            .slice(0, 3)
            .map((t) => `${t} ${counts[t]} instead of ${manifest.database.tables[t]}`)
            .join(", ")}.`,
        );
      }
      const schemaOut = await mysql(client, password, "SELECT conf_value FROM config WHERE conf_name = 'schema'");
      const schema = Number(schemaOut.stdout.trim());
      if (manifest.schema !== null && schema !== manifest.schema) {
        throw new VerificationFailure(msg`The schema is ${schema}, the manifest says ${manifest.schema}.`);
      }
      let uploadRows = 0;
      if (tables.includes("uploads")) {
        const rows = await mysql(client, password, "SELECT long_name FROM uploads");
        const names = rows.stdout.split("\n").filter(Boolean);
        uploadRows = names.length;
        // eLabFTW serves /elabftw/uploads/<long_name>: a link counts when it ends at a file of the tree.
        const tree = new UploadTree(await dump.entries());
        const missing = names.map((n) => uploadRowProblem(tree, n)).filter((p): p is string => p !== null);
        if (missing.length) {
          throw new VerificationFailure(
            msg`${missing.length} upload row(s) of the database have no file in the archive, e.g. ${missing.slice(0, 3).join(", ")}.`,
          );
        }
      }
      const rowsTotal = Object.values(counts).reduce((a, b) => a + b, 0);
      await ctx.log(
        `${tables.length} tables and ${rowsTotal} rows as in the manifest, schema ${schema}, every one of the ${uploadRows} upload rows has its file.`,
      );
      await ctx.progress(95);
      return { tables: tables.length, rows: rowsTotal, schema, uploadRows };
    },
  };
}
