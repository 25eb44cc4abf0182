import { authorize } from "@/lib/auth/authorize";
import { db } from "@/lib/server/db/web";
import { containerLogs } from "@/lib/docker";
import { AppError } from "@/lib/errors";
import { clientFor } from "@/lib/server/hosts/clients";
import { errorResponse } from "@/lib/server/http";
import { requireVisibleInstance } from "@/lib/server/instances/find-instances";
import { keyRing } from "@/lib/server/secrets";

/**
 * Live logs of an instance's web or database container, as server-sent
 * events: the last 200 lines, then new ones as they come (follow), until the
 * page closes the stream. Staff only.
 *   ?container=web|database  &stream=all|stdout|stderr  &follow=1|0
 */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const operator = await authorize("instances.inspect", "instance.logs");
    const { id } = await params;
    const instance = await requireVisibleInstance(db(), operator, id);
    const url = new URL(request.url);
    const which = url.searchParams.get("container") === "database" ? "database" : "web";
    const streamFilter = url.searchParams.get("stream");
    const follow = url.searchParams.get("follow") !== "0";
    if (which === "database" && (instance.databasePlacement !== "container" || !instance.databaseHostId)) {
      throw new AppError("not_found", "This instance's database is not a container the panel manages.", {
        hint: "Its logs are on the database server.",
      });
    }
    const hostId = which === "web" ? instance.webHostId : instance.databaseHostId!;
    const container = which === "web" ? instance.webContainerName : instance.databaseContainerName!;
    const client = await clientFor(db(), keyRing(), hostId);
    const abort = new AbortController();
    request.signal.addEventListener("abort", () => abort.abort(), { once: true });
    const encoder = new TextEncoder();
    const event = (name: string, data: unknown) => encoder.encode(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        try {
          for await (const line of containerLogs(client, container, { follow, tail: 200, signal: abort.signal })) {
            if (streamFilter === "stdout" || streamFilter === "stderr") {
              if (line.stream !== streamFilter) continue;
            }
            controller.enqueue(
              event("line", { stream: line.stream, at: line.at?.toISOString() ?? null, text: line.text }),
            );
          }
          controller.enqueue(
            event("end", {
              reason: follow
                ? "The container's log ended: it stopped."
                : "These are the last lines; press Paused to follow new ones as they come.",
            }),
          );
        } catch (error) {
          if (!abort.signal.aborted) controller.enqueue(event("failure", { message: (error as Error).message }));
        } finally {
          try {
            controller.close();
          } catch {
            // already closed by the client
          }
        }
      },
      cancel() {
        abort.abort();
      },
    });
    return new Response(body, {
      headers: { "Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no" },
    });
  } catch (error) {
    return errorResponse(error);
  }
}
