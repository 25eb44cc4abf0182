import type { ErrorCode } from "../errors";

/** What a server action returns to the page: the data, or what happened and what to do. */
export type ActionResult<T = null> = { ok: true; data: T } | { ok: false; code: ErrorCode; message: string };
