import { containerLogs, createContainer, startContainer, type DockerClient } from "../../lib/docker";

/**
 * What users see during an upgrade: a container on the instance's network
 * asks for a real page (`/login.php`) every 100 ms and prints
 * "<ms since epoch> <HTTP status> <real|almost>". A page is real when it
 * answers 200 and is not eLabFTW's "Almost there!" page (which 5.x serves
 * with 200 while the schema waits for db:update, 6.0 with 500).
 */
export async function startProbe(engine: DockerClient, run: string, network: string, host: string): Promise<string> {
  const name = `${run}-probe-${Date.now().toString(36)}`;
  await createContainer(engine, {
    name,
    image: "elabftw/elabimg:5.0.4",
    entrypoint: ["sh", "-c"],
    cmd: [
      `while true; do t=$(date +%s%3N); body=$(curl -sk -m 1 -w '\\n%{http_code}' https://${host}/login.php); ` +
        `code=$(printf '%s' "$body" | tail -n 1); case "$body" in *"Almost there"*) kind=almost ;; *) kind=real ;; esac; ` +
        `printf '%s %s %s\\n' "$t" "$code" "$kind"; sleep 0.1; done`,
    ],
    labels: { "net.paillasse.test": run },
    network: { name: network },
  });
  await startContainer(engine, name);
  return name;
}

/** Downtime as the probe saw it: from the first sample without a real page to the first real page after it. */
export async function downtimeFrom(engine: DockerClient, probe: string, options: { readyAfter?: number } = {}) {
  const samples: { t: number; real: boolean }[] = [];
  for await (const line of containerLogs(engine, probe, { tail: 100_000 })) {
    const [t, status, kind] = line.text.trim().split(/\s+/);
    if (t && status) samples.push({ t: Number(t), real: status === "200" && kind === "real" });
  }
  const firstFail = samples.find((s) => !s.real);
  if (!firstFail) throw new Error("the probe never saw the instance down");
  const back = samples.find((s) => s.real && s.t >= Math.max(firstFail.t, options.readyAfter ?? 0));
  if (!back) throw new Error("the probe never saw the instance back");
  const almost = samples.filter((s) => s.t >= firstFail.t && s.t < back.t && !s.real).length;
  return { from: firstFail.t, to: back.t, ms: back.t - firstFail.t, samples: samples.length, notReal: almost };
}
