import { getDMMF } from "@prisma/get-dmmf";
import pg from "pg";

/**
 * Compares what prisma/schema.prisma declares with what a migrated PostgreSQL
 * database holds, as two sets of facts in one canonical text form:
 *
 *   table Operator
 *   column Operator.email text NOT NULL default=-
 *   enum Role (admin,operator,correspondant)
 *   index Operator_email_key UNIQUE (email)
 *   fk SecurityKey_operatorId_fkey (operatorId) -> Operator(id) ON DELETE RESTRICT ON UPDATE CASCADE
 *
 * Names follow Prisma's defaults ({table}_{columns}_{pkey|key|idx|fkey}), so
 * a hand-written migration must match what `prisma migrate dev` would create.
 */

export interface SchemaDiff {
  /** Declared in schema.prisma, absent or different in the database. */
  missing: string[];
  /** In the database, not declared (or declared differently). */
  unexpected: string[];
}

/** The parts of Prisma's DMMF this comparison reads. */
// eslint-disable-next-line @typescript-eslint/no-namespace -- mirrors Prisma's own DMMF namespace
export declare namespace DMMF {
  interface Field {
    name: string;
    dbName?: string | null;
    kind: "scalar" | "object" | "enum" | "unsupported";
    type: string;
    isList: boolean;
    isRequired: boolean;
    isUpdatedAt?: boolean;
    nativeType?: unknown;
    default?: unknown;
    documentation?: string;
    relationFromFields?: string[];
    relationToFields?: string[];
    relationOnDelete?: string;
    relationOnUpdate?: string;
  }
  interface Model {
    name: string;
    dbName: string | null;
    fields: Field[];
  }
  interface DatamodelEnum {
    name: string;
    dbName?: string | null;
    values: { name: string; dbName: string | null }[];
  }
  interface Index {
    model: string;
    type: "id" | "unique" | "normal" | "fulltext";
    dbName?: string | null;
    fields: { name: string }[];
  }
  interface Document {
    datamodel: { models: Model[]; enums: DatamodelEnum[]; indexes: Index[] };
  }
}

export function dmmfOf(schemaText: string): DMMF.Document {
  const result = getDMMF({ datamodel: schemaText }) as unknown as DMMF.Document | { error: unknown };
  if ("error" in result) throw new Error(`schema.prisma does not parse: ${JSON.stringify(result.error)}`);
  return result;
}

const SCALAR_TYPES: Record<string, string> = {
  String: "text",
  Int: "integer",
  BigInt: "bigint",
  Boolean: "boolean",
  DateTime: "timestamp(3)",
  Json: "jsonb",
  Bytes: "bytea",
  Float: "double precision",
  Decimal: "numeric(65,30)",
};

const ON_ACTION: Record<string, string> = {
  Cascade: "CASCADE",
  Restrict: "RESTRICT",
  SetNull: "SET NULL",
  NoAction: "NO ACTION",
  SetDefault: "SET DEFAULT",
};

/** The facts schema.prisma declares. */
export function expectedFacts(dmmf: DMMF.Document): Set<string> {
  const facts = new Set<string>();
  const enums = new Map(dmmf.datamodel.enums.map((e) => [e.name, e]));
  const tableOf = new Map(dmmf.datamodel.models.map((m) => [m.name, m.dbName ?? m.name]));

  for (const e of dmmf.datamodel.enums) {
    facts.add(`enum ${e.dbName ?? e.name} (${e.values.map((v) => v.dbName ?? v.name).join(",")})`);
  }

  for (const model of dmmf.datamodel.models) {
    const table = model.dbName ?? model.name;
    const column = (fieldName: string) => {
      const f = model.fields.find((x) => x.name === fieldName);
      if (!f) throw new Error(`${model.name}.${fieldName} not found`);
      return f.dbName ?? f.name;
    };
    facts.add(`table ${table}`);

    for (const field of model.fields) {
      if (field.kind === "object") continue;
      if (field.nativeType)
        throw new Error(`${model.name}.${field.name}: native types are not handled by the drift check yet`);
      const col = field.dbName ?? field.name;
      let type: string;
      if (field.kind === "enum") {
        const e = enums.get(field.type);
        type = `"${e?.dbName ?? field.type}"`;
      } else {
        type = SCALAR_TYPES[field.type] ?? `unsupported:${field.type}`;
      }
      if (field.isList) type += "[]";
      const notNull = field.isRequired && !field.isList ? " NOT NULL" : "";
      facts.add(`column ${table}.${col} ${type}${notNull} default=${expectedDefault(field, table, col, enums)}`);
    }

    for (const index of dmmf.datamodel.indexes.filter((i) => i.model === model.name)) {
      const cols = index.fields.map((f) => column(f.name));
      const suffix = { id: "pkey", unique: "key", normal: "idx", fulltext: "idx" }[index.type];
      const defaultName = index.type === "id" ? `${table}_pkey` : `${table}_${cols.join("_")}_${suffix}`;
      const name = index.dbName ?? defaultName;
      const kind = index.type === "id" ? "PRIMARY" : index.type === "unique" ? "UNIQUE" : "INDEX";
      facts.add(`index ${name} ${kind} (${cols.join(",")})`);
    }

    for (const field of model.fields) {
      if (field.kind !== "object" || !field.relationFromFields?.length) continue;
      const from = field.relationFromFields.map(column);
      const target = dmmf.datamodel.models.find((m) => m.name === field.type)!;
      const to = (field.relationToFields ?? []).map((n) => {
        const f = target.fields.find((x) => x.name === n)!;
        return f.dbName ?? f.name;
      });
      const required = field.relationFromFields.every((n) => model.fields.find((f) => f.name === n)?.isRequired);
      const onDelete = ON_ACTION[field.relationOnDelete ?? (required ? "Restrict" : "SetNull")];
      const onUpdate = ON_ACTION[field.relationOnUpdate ?? "Cascade"];
      facts.add(
        `fk ${table}_${from.join("_")}_fkey (${from.join(",")}) -> ${tableOf.get(field.type)}(${to.join(",")}) ON DELETE ${onDelete} ON UPDATE ${onUpdate}`,
      );
    }
  }
  return facts;
}

function expectedDefault(
  field: DMMF.Field,
  table: string,
  col: string,
  enums: Map<string, DMMF.DatamodelEnum>,
): string {
  const d = field.default as unknown;
  if (d === undefined || field.isUpdatedAt) return "-";
  if (typeof d === "object" && d !== null && "name" in d) {
    const fn = (d as { name: string }).name;
    if (fn === "now") return "CURRENT_TIMESTAMP";
    if (fn === "autoincrement") return `nextval('"${table}_${col}_seq"'::regclass)`;
    if (fn === "uuid" || fn === "cuid" || fn === "ulid" || fn === "nanoid") return "-"; // generated by the client
    return `unsupported:${fn}`;
  }
  if (Array.isArray(d)) return `unsupported:list-default`;
  switch (field.type) {
    case "String":
      return `'${String(d).replace(/'/g, "''")}'::text`;
    case "Json":
      return `'${String(d).replace(/'/g, "''")}'::jsonb`;
    case "Int":
    case "BigInt":
    case "Float":
    case "Decimal":
      return String(d);
    case "Boolean":
      return String(d);
    default:
      if (field.kind === "enum") {
        const e = enums.get(field.type)!;
        const value = e.values.find((v) => v.name === d);
        return `'${value?.dbName ?? String(d)}'::"${e.dbName ?? e.name}"`;
      }
      return `unsupported:${field.type}`;
  }
}

const FK_ACTION: Record<string, string> = {
  a: "NO ACTION",
  r: "RESTRICT",
  c: "CASCADE",
  n: "SET NULL",
  d: "SET DEFAULT",
};

/** The facts a live database holds (schema `public`, Prisma's own table left out). */
export async function actualFacts(connectionString: string): Promise<Set<string>> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const facts = new Set<string>();
    const exclude = "_prisma_migrations";

    const tables = await client.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> $1`,
      [exclude],
    );
    for (const t of tables.rows) facts.add(`table ${t.name}`);

    const enums = await client.query<{ name: string; labels: string[] }>(
      `SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS labels
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
         JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = 'public' GROUP BY t.typname`,
    );
    for (const e of enums.rows) facts.add(`enum ${e.name} (${e.labels.join(",")})`);

    const columns = await client.query<{
      table: string;
      column: string;
      type: string;
      notnull: boolean;
      default: string | null;
    }>(
      `SELECT c.relname AS table, a.attname AS column,
              format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
              pg_get_expr(d.adbin, d.adrelid) AS default
         FROM pg_attribute a
         JOIN pg_class c ON c.oid = a.attrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> $1
          AND a.attnum > 0 AND NOT a.attisdropped`,
      [exclude],
    );
    for (const c of columns.rows) {
      const type = c.type.replace(/^timestamp\((\d)\) without time zone/, "timestamp($1)");
      facts.add(`column ${c.table}.${c.column} ${type}${c.notnull ? " NOT NULL" : ""} default=${c.default ?? "-"}`);
    }

    const indexes = await client.query<{ name: string; unique: boolean; primary: boolean; columns: string[] }>(
      `SELECT i.relname AS name, ix.indisunique AS unique, ix.indisprimary AS primary,
              array_agg(a.attname ORDER BY k.ord)::text[] AS columns
         FROM pg_index ix
         JOIN pg_class t ON t.oid = ix.indrelid
         JOIN pg_class i ON i.oid = ix.indexrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
        WHERE n.nspname = 'public' AND t.relname <> $1
        GROUP BY i.relname, ix.indisunique, ix.indisprimary`,
      [exclude],
    );
    for (const i of indexes.rows) {
      const kind = i.primary ? "PRIMARY" : i.unique ? "UNIQUE" : "INDEX";
      facts.add(`index ${i.name} ${kind} (${i.columns.join(",")})`);
    }

    const fks = await client.query<{
      name: string;
      table: string;
      columns: string[];
      ref_table: string;
      ref_columns: string[];
      on_delete: string;
      on_update: string;
    }>(
      `SELECT con.conname AS name, t.relname AS table, rt.relname AS ref_table,
              (SELECT array_agg(a.attname ORDER BY k.ord)::text[] FROM unnest(con.conkey) WITH ORDINALITY k(n, ord)
                 JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n) AS columns,
              (SELECT array_agg(a.attname ORDER BY k.ord)::text[] FROM unnest(con.confkey) WITH ORDINALITY k(n, ord)
                 JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n) AS ref_columns,
              con.confdeltype AS on_delete, con.confupdtype AS on_update
         FROM pg_constraint con
         JOIN pg_class t ON t.oid = con.conrelid
         JOIN pg_class rt ON rt.oid = con.confrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE con.contype = 'f' AND n.nspname = 'public'`,
    );
    for (const f of fks.rows) {
      facts.add(
        `fk ${f.name} (${f.columns.join(",")}) -> ${f.ref_table}(${f.ref_columns.join(",")}) ON DELETE ${FK_ACTION[f.on_delete]} ON UPDATE ${FK_ACTION[f.on_update]}`,
      );
    }
    return facts;
  } finally {
    await client.end();
  }
}

export async function compareSchema(schemaText: string, connectionString: string): Promise<SchemaDiff> {
  const expected = expectedFacts(dmmfOf(schemaText));
  const actual = await actualFacts(connectionString);
  return {
    missing: [...expected].filter((f) => !actual.has(f)).sort(),
    unexpected: [...actual].filter((f) => !expected.has(f)).sort(),
  };
}
