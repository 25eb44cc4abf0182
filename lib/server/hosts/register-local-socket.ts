import { statSync } from "node:fs";
import type { Db } from "../db/client";

/**
 * On a fresh panel, the Docker socket of the machine it runs on (when there is
 * one) becomes the first host, so the operator can discover instances at once.
 * Never adds anything once any host exists: removing it stays removed.
 */
export async function registerLocalSocket(db: Db, socketPath: string): Promise<"registered" | "skipped"> {
  if (!isSocket(socketPath)) return "skipped";
  const hosts = await db.dockerHost.count();
  if (hosts > 0) return "skipped";
  await db.dockerHost.create({
    data: { name: "local", kind: "socket", address: socketPath },
  });
  return "registered";
}

function isSocket(p: string): boolean {
  try {
    return statSync(p).isSocket();
  } catch {
    return false;
  }
}
