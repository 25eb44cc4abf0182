import { z } from "zod";
import { AppError } from "../errors";
import { isUuid } from "./ids";

/**
 * The arguments of a server action are whatever a request puts in its body,
 * whatever the page's types say: each action checks them here before using
 * them. A malformed id is the same "not found" as an id that is gone (no
 * row to learn about); a malformed object is a clear "not understood".
 */
const NOT_FOUND = {
  host: () => new AppError("not_found", "This host does not exist.", { hint: "Reload the Hosts page." }),
  operator: () => new AppError("not_found", "This operator does not exist.", { hint: "Reload the Operators page." }),
  instance: () => new AppError("not_found", "This instance is not in the inventory.", { hint: "Reload the page." }),
  backup: () => new AppError("not_found", "This backup is not in the inventory.", { hint: "Reload the page." }),
  unit: () => new AppError("not_found", "This unit does not exist.", { hint: "Reload the page." }),
  policy: () => new AppError("not_found", "This backup policy does not exist.", { hint: "Reload the Backups page." }),
  key: () => new AppError("not_found", "This key does not exist or is not yours.", { hint: "Reload the page." }),
  schedule: () =>
    new AppError("not_found", "This scheduled upgrade does not exist.", { hint: "Reload the Upgrades page." }),
  repository: () =>
    new AppError("not_found", "This backup repository is not in the inventory.", { hint: "Reload the page." }),
} as const;

export type IdKind = keyof typeof NOT_FOUND;

/** The "not found" of a kind of row: the same for a malformed id as for one that is gone. */
export function notFound(what: IdKind): AppError {
  return NOT_FOUND[what]();
}

/** Arguments that do not have the shape the action takes. */
export function malformed(): AppError {
  return new AppError("bad_input", "The request was not understood: some of its values are missing or malformed.", {
    hint: "Reload the page and try again.",
  });
}

export function idArgument(value: unknown, what: IdKind): string {
  if (typeof value !== "string" || !isUuid(value)) throw NOT_FOUND[what]();
  return value;
}

/** The action's argument object, checked against its schema (types and bounds), or a bad_input that changes nothing. */
export function objectArgument<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw malformed();
}
