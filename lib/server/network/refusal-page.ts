/** The page a client outside the trusted networks gets: what happened, what to do. No framework, no data. */
export function refusalPage(client: string | null): string {
  const who = client ? `Your address (${escapeHtml(client)}) is` : "Your address could not be determined, so it is";
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Access refused · Paillasse</title>
<meta name="robots" content="noindex">
<style>body{font-family:system-ui,sans-serif;background:#f8fafc;color:#0f172a;margin:0}
main{max-width:36rem;margin:12vh auto;padding:1.5rem 2rem;background:#fff;border:1px solid #e2e8f0;border-radius:.5rem}
h1{font-size:1.25rem;margin:0 0 .75rem}p{line-height:1.5;color:#334155}</style></head>
<body><main><h1>Access refused: not on a trusted network</h1>
<p>This control panel answers only from the networks its administrators trust, usually the VPN.
${who} not one of them.</p>
<p>Connect to the VPN and reload this page. If you should have access from here, ask the
administrators of the panel to add your network to <code>PANEL_TRUSTED_NETWORKS</code>.</p>
</main></body></html>`;
}

/**
 * A request path that does not decode to text (percent-encoded bytes that are not UTF-8, such as `%ff`) can name
 * no page: it is answered 400 at the door, before the router would fail on it.
 */
export function undecodablePath(url: string | undefined): boolean {
  const path = (url ?? "/").split(/[?#]/)[0]!;
  try {
    decodeURIComponent(path);
    return false;
  } catch {
    return true;
  }
}

export const BAD_ADDRESS_MESSAGE =
  "This address is not valid: it contains percent-encoded bytes that are not text. Check the link (copy it again from where it came from) or start from the dashboard.";

/** The answer to an undecodable path: JSON for the API, a small page for a browser. */
export function badAddressAnswer(url: string | undefined): { type: string; body: string } {
  if ((url ?? "").startsWith("/api/")) {
    return {
      type: "application/json; charset=utf-8",
      body: JSON.stringify({ code: "bad_input", message: BAD_ADDRESS_MESSAGE }),
    };
  }
  return {
    type: "text/html; charset=utf-8",
    body: `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Invalid address · Paillasse</title>
<meta name="robots" content="noindex">
<style>body{font-family:system-ui,sans-serif;background:#f8fafc;color:#0f172a;margin:0}
main{max-width:36rem;margin:12vh auto;padding:1.5rem 2rem;background:#fff;border:1px solid #e2e8f0;border-radius:.5rem}
h1{font-size:1.25rem;margin:0 0 .75rem}p{line-height:1.5;color:#334155}</style></head>
<body><main><h1>Invalid address</h1>
<p>${escapeHtml(BAD_ADDRESS_MESSAGE)}</p>
<p><a href="/">Go to the dashboard</a></p>
</main></body></html>`,
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
