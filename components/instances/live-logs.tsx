"use client";

import { Pause, Play } from "lucide-react";
import { useTranslations } from "next-intl";
import { useEffect, useRef, useState } from "react";
import { Alert, Button, Card, Select } from "@/components/ui";
import { formatTime } from "@/lib/format";

interface Line {
  stream: "stdout" | "stderr";
  at: string | null;
  text: string;
}

const MAX_LINES = 1000;

/** The container's log, streamed live (server-sent events), filtered by stream, following the end. */
export function LiveLogs({ instanceId, hasDatabase }: { instanceId: string; hasDatabase: boolean }) {
  const t = useTranslations("logs");
  const [container, setContainer] = useState<"web" | "database">("web");
  const [stream, setStream] = useState<"all" | "stdout" | "stderr">("all");
  const [follow, setFollow] = useState(true);
  const [lines, setLines] = useState<Line[]>([]);
  const [status, setStatus] = useState<{ tone: "info" | "error"; text: string } | null>(null);
  const box = useRef<HTMLPreElement>(null);

  /** A new stream starts empty. */
  function restart<T>(set: (value: T) => void, value: T) {
    setLines([]);
    setStatus(null);
    set(value);
  }

  useEffect(() => {
    const source = new EventSource(
      `/api/instances/${instanceId}/logs?container=${container}&stream=${stream}&follow=${follow ? 1 : 0}`,
    );
    source.addEventListener("line", (e) => {
      const line = JSON.parse((e as MessageEvent).data) as Line;
      setLines((list) => [...list.slice(-(MAX_LINES - 1)), line]);
    });
    source.addEventListener("end", (e) => {
      setStatus({ tone: "info", text: JSON.parse((e as MessageEvent).data).reason });
      source.close();
    });
    source.addEventListener("failure", (e) => {
      setStatus({ tone: "error", text: JSON.parse((e as MessageEvent).data).message });
      source.close();
    });
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) return;
      setStatus({ tone: "error", text: t("interrupted") });
    };
    return () => source.close();
  }, [instanceId, container, stream, follow, t]);

  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines, follow]);

  return (
    <Card
      title={t("title")}
      actions={
        <div className="flex flex-wrap items-center gap-2">
          {hasDatabase && (
            <Select
              aria-label={t("container")}
              value={container}
              onChange={(e) => restart(setContainer, e.target.value as "web" | "database")}
              className="mt-0 w-auto py-1"
            >
              <option value="web">{t("web")}</option>
              <option value="database">{t("database")}</option>
            </Select>
          )}
          <Select
            aria-label={t("stream")}
            value={stream}
            onChange={(e) => restart(setStream, e.target.value as "all" | "stdout" | "stderr")}
            className="mt-0 w-auto py-1"
          >
            <option value="all">{t("all")}</option>
            <option value="stdout">{t("stdout")}</option>
            <option value="stderr">{t("stderr")}</option>
          </Select>
          <Button onClick={() => restart(setFollow, !follow)} aria-pressed={follow}>
            {follow ? <Pause aria-hidden className="size-4" /> : <Play aria-hidden className="size-4" />}
            {follow ? t("following") : t("paused")}
          </Button>
        </div>
      }
    >
      {status && (
        <Alert tone={status.tone} className="mb-2">
          {status.text}
        </Alert>
      )}
      <pre
        ref={box}
        aria-label={t("lines")}
        aria-live="off"
        className="h-80 overflow-auto rounded-md bg-slate-950 p-3 font-mono text-xs leading-5 text-slate-100"
      >
        {lines.length === 0 ? (
          <span className="text-slate-400">{t("waiting")}</span>
        ) : (
          lines.map((l, i) => (
            <div key={i} className={l.stream === "stderr" ? "text-amber-300" : undefined}>
              <span className="select-none text-slate-500">
                {formatTime(l.at)} {l.stream === "stderr" ? "err" : "out"}{" "}
              </span>
              {l.text}
            </div>
          ))
        )}
      </pre>
    </Card>
  );
}
