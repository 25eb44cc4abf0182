const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Ids in URLs are UUIDs; anything else is a page that does not exist (never a database error). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
