import { pullImage, type DockerClient, type PullProgress } from "../../docker";
import type { StepContext } from "./journal";

/** Sum of the layers' bytes for a pull progress figure (0–1), or null before sizes are known. */
export function pullFraction(layers: Map<string, { current: number; total: number }>): number | null {
  let current = 0;
  let total = 0;
  for (const l of layers.values()) {
    current += Math.min(l.current, l.total);
    total += l.total;
  }
  return total > 0 ? current / total : null;
}

/**
 * Pull an image with the step's progress bar moving from `from` to `to`
 * percent as the layers' bytes arrive (one database write a second at most).
 */
export async function pullWithProgress(
  client: DockerClient,
  image: string,
  ctx: StepContext,
  range: { from: number; to: number; label: string },
): Promise<void> {
  const layers = new Map<string, { current: number; total: number }>();
  let last = 0;
  await pullImage(client, image, (event: PullProgress) => {
    if (event.layer && event.total) layers.set(event.layer, { current: event.current ?? 0, total: event.total });
    if (event.layer && /complete|already exists/i.test(event.status)) {
      const l = layers.get(event.layer);
      if (l) l.current = l.total;
    }
    const fraction = pullFraction(layers);
    if (fraction !== null && Date.now() - last > 1_000) {
      last = Date.now();
      void ctx
        .progress(range.from + (range.to - range.from) * fraction, `${range.label}: ${Math.round(fraction * 100)} %`)
        .catch(() => undefined);
    }
  });
}
