import "server-only";
import { headers } from "next/headers";
import type { Logger } from "pino";
import { log } from "../log";

/** The logger for the request being served: its lines carry the request id set by the panel's gate. */
export async function requestLog(): Promise<Logger> {
  try {
    const id = (await headers()).get("x-request-id");
    return id ? log().child({ reqId: id }) : log();
  } catch {
    // Outside a request (a background job): the process's logger.
    return log();
  }
}
