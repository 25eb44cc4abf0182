import { AppError } from "../../errors";
import { msg } from "../../i18n/message";

/**
 * Tag lists from a registry (Docker Registry HTTP API v2), anonymous or with
 * the token flow of Docker Hub and most registries: a 401 names a token
 * service (WWW-Authenticate: Bearer realm=…,service=…,scope=…), which gives a
 * token, with Basic credentials when configured. Pages follow `Link: rel="next"`.
 */
export interface RegistryConfig {
  /** e.g. https://registry-1.docker.io */
  url: string;
  username?: string;
  password?: string;
  timeoutMs?: number;
}

const DOCKER_HUB = "https://registry-1.docker.io";

/** Where to ask for an image repository: its own registry when the reference names one, else the configured one. */
export function locateRepository(
  imageRepository: string,
  configured: string,
): { registry: string; repository: string } {
  const [first, ...rest] = imageRepository.split("/");
  const hasRegistry = rest.length > 0 && (first!.includes(".") || first!.includes(":") || first === "localhost");
  if (hasRegistry) {
    const registry =
      first === "docker.io" ? DOCKER_HUB : `${/^(localhost|127\.)/.test(first!) ? "http" : "https"}://${first}`;
    return { registry, repository: normaliseHub(registry, rest.join("/")) };
  }
  const registry = configured.replace(/\/+$/, "");
  return { registry, repository: normaliseHub(registry, imageRepository) };
}

function normaliseHub(registry: string, repository: string): string {
  return registry === DOCKER_HUB && !repository.includes("/") ? `library/${repository}` : repository;
}

function parseChallenge(header: string): Record<string, string> | null {
  if (!/^Bearer\s/i.test(header)) return null;
  const params: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/(\w+)="([^"]*)"/g)) params[m[1]!] = m[2]!;
  return params.realm ? params : null;
}

async function request(url: string, headers: Record<string, string>, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs), redirect: "follow" });
  } catch (error) {
    const e = error as Error;
    throw new AppError(
      "unavailable",
      msg`The registry at ${new URL(url).origin} did not answer (${e.name === "TimeoutError" ? "timed out" : ((e.cause as Error | undefined)?.message ?? e.message)}).`,
      { hint: "Check PANEL_REGISTRY_URL and that the panel's host can reach the registry." },
    );
  }
}

async function token(challenge: Record<string, string>, config: RegistryConfig, timeoutMs: number): Promise<string> {
  const url = new URL(challenge.realm!);
  if (challenge.service) url.searchParams.set("service", challenge.service);
  if (challenge.scope) url.searchParams.set("scope", challenge.scope);
  const headers: Record<string, string> = {};
  if (config.username) {
    headers.Authorization = `Basic ${Buffer.from(`${config.username}:${config.password ?? ""}`).toString("base64")}`;
  }
  const response = await request(url.toString(), headers, timeoutMs);
  if (!response.ok) {
    throw new AppError("unavailable", msg`The registry's token service refused access (HTTP ${response.status}).`, {
      hint: config.username ? "Check the registry user name and password." : "This registry needs credentials.",
    });
  }
  const body = (await response.json()) as { token?: string; access_token?: string };
  const value = body.token ?? body.access_token;
  if (!value) throw new AppError("unavailable", "The registry's token service answered without a token.");
  return value;
}

export async function listTags(config: RegistryConfig, imageRepository: string): Promise<string[]> {
  const timeoutMs = config.timeoutMs ?? 10_000;
  const { registry, repository } = locateRepository(imageRepository, config.url);
  let next: string | null = `${registry}/v2/${repository}/tags/list?n=1000`;
  let bearer: string | null = null;
  const tags: string[] = [];
  for (let page = 0; next && page < 20; page++) {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    let response = await request(next, headers, timeoutMs);
    if (response.status === 401 && !bearer) {
      const challenge = parseChallenge(response.headers.get("www-authenticate") ?? "");
      if (!challenge) {
        throw new AppError("unavailable", msg`The registry at ${registry} wants credentials it does not describe.`, {
          hint: "Set PANEL_REGISTRY_USERNAME and PANEL_REGISTRY_PASSWORD.",
        });
      }
      bearer = await token(challenge, config, timeoutMs);
      response = await request(next, { ...headers, Authorization: `Bearer ${bearer}` }, timeoutMs);
    }
    if (response.status === 404) {
      throw new AppError("not_found", msg`The registry at ${registry} has no repository ${repository}.`, {
        hint: "Check the image name of the instance.",
      });
    }
    if (!response.ok) {
      throw new AppError(
        "unavailable",
        msg`The registry at ${registry} answered HTTP ${response.status} for ${repository}.`,
      );
    }
    const body = (await response.json()) as { tags?: string[] | null };
    tags.push(...(body.tags ?? []));
    const link = response.headers.get("link");
    const target = link ? /<([^>]+)>;\s*rel="next"/.exec(link)?.[1] : undefined;
    next = target ? new URL(target, registry).toString() : null;
  }
  return tags;
}
