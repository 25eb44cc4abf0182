import { execFileSync } from "node:child_process";
import type { CDPSession, Page } from "@playwright/test";
import { expect } from "@playwright/test";
import { ROOT } from "./panel-process";

/** A virtual FIDO2 security key in the page's browser (Chromium DevTools protocol), as TESTENV.md shows. */
export async function addVirtualKey(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "usb",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
  return { cdp, authenticatorId };
}

export interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  privateKey: string;
  userHandle?: string;
  signCount: number;
}

/** The credentials a virtual key holds (with their private keys), to put them in another virtual key later. */
export async function credentialsOf(cdp: CDPSession, authenticatorId: string): Promise<VirtualCredential[]> {
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  return credentials as VirtualCredential[];
}

/** A virtual key holding exactly these credentials (e.g. only a revoked one). */
export async function virtualKeyWith(page: Page, credentials: VirtualCredential[]) {
  const key = await addVirtualKey(page);
  for (const credential of credentials) {
    await key.cdp.send("WebAuthn.addCredential", { authenticatorId: key.authenticatorId, credential });
  }
  return key;
}

/** Run the README's invite command against a database; returns the printed link. */
export function inviteFromCommandLine(
  env: Record<string, string>,
  email: string,
  role = "admin",
  name = "Test Admin",
): string {
  const output = execFileSync(
    process.execPath,
    ["--import", "tsx", "scripts/operator-invite.ts", "--email", email, "--role", role, "--name", name],
    {
      cwd: ROOT,
      env: {
        NODE_ENV: "production",
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: process.env.HOME ?? "/tmp",
        ...env,
      } as NodeJS.ProcessEnv,
      encoding: "utf8",
    },
  );
  const link = /(https?:\/\/\S+\/enrol#[A-Za-z0-9_-]{43})/.exec(output)?.[1];
  if (!link) throw new Error(`no enrolment link in:\n${output}`);
  return link;
}

/** Open an enrolment link with a virtual key and register it; lands on the dashboard. */
export async function enrol(page: Page, link: string, keyName = "Virtual key"): Promise<void> {
  await page.goto(link);
  await page.getByLabel("Name of this key").fill(keyName);
  await page.getByRole("button", { name: "Register this key" }).click();
  await expect(page.getByRole("heading", { name: "Fleet dashboard" })).toBeVisible({ timeout: 15_000 });
}

export async function signInWithKey(page: Page, base = ""): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByRole("button", { name: "Sign in with your security key" }).click();
  await expect(page.getByRole("heading", { name: "Fleet dashboard" })).toBeVisible({ timeout: 15_000 });
}
