import type { z } from "zod";
import { AppError } from "../../errors";
import type { Prisma } from "../../generated/prisma/client";
import type { Db, Tx } from "../db/client";
import { msg } from "../../i18n/message";

/**
 * One setting row (Setting.value is JSON), read and written through its
 * schema: what is read is parsed, never cast, and what is written is checked
 * first. A row whose shape this panel does not know is refused with what to
 * do, or, for a cache the panel rebuilds itself, read as `fallback`.
 */
export function storedSetting<S extends z.ZodType>(key: string, schema: S, options: { fallback?: z.infer<S> } = {}) {
  type Value = z.infer<S>;
  const parse = (value: unknown): Value => {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data as Value;
    if (options.fallback !== undefined) return options.fallback;
    throw new AppError("internal", msg`The stored setting ${key} is not in a shape this panel reads.`, {
      hint: "Save it again on the Settings page.",
    });
  };
  return {
    key,
    /** The stored value, or null when there is none. */
    async read(db: Db | Tx): Promise<Value | null> {
      const row = await db.setting.findUnique({ where: { key }, select: { value: true } });
      return row ? parse(row.value) : null;
    },
    /** The stored value with its sealed secret part (selected explicitly: secret columns are omitted by default). */
    async readWithSecret(db: Db | Tx): Promise<{ value: Value; secretEnc: string | null } | null> {
      const row = await db.setting.findUnique({ where: { key }, select: { value: true, secretEnc: true } });
      return row ? { value: parse(row.value), secretEnc: row.secretEnc } : null;
    },
    async write(
      db: Db | Tx,
      value: Value,
      extra: { updatedById?: string | null; secretEnc?: string | null } = {},
    ): Promise<void> {
      // JSON through and through (checked by the schema just above): the one place it is handed to Prisma as such.
      const json = schema.parse(value) as Prisma.InputJsonValue;
      await db.setting.upsert({
        where: { key },
        create: { key, value: json, ...extra },
        update: { value: json, ...extra },
      });
    },
  };
}
