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

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
