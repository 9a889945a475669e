/**
 * The HTML of `/`: where the docs and the spec are, which Messenger pages are configured, what the first login needs.
 */

/** What `/` shows; tokens are never part of it. */
export interface IndexPageFacts {
  title: string;
  specVersion: string;
  whatsAppApiVersion: string;
  /** undefined when the server cannot tell (no status function wired). */
  adminPasswordChangeRequired: boolean | undefined;
  pageIds: string[];
  generatedDevPage: boolean;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** The page's content security policy: it loads nothing, runs no script. */
export const INDEX_PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

function adminSection(required: boolean | undefined, base: string): string {
  if (required === true) {
    return (
      `<p id="admin-status" data-state="change-required"><strong>First login:</strong> the built-in ` +
      `<code>admin</code>
still has the default password <code>secret</code>. The first <code>POST /v1/users/login</code> must carry
<code>{"new_password": "..."}</code> (8 to 64 characters with an upper-case letter, a lower-case letter, a digit and a
special character); without it the login is refused.</p>
<pre>curl -u admin:secret -H 'Content-Type: application/json' \\
  -d '{"new_password":"Chang3-Me!"}' ${escapeHtml(base)}/v1/users/login</pre>`
    );
  }
  if (required === false) {
    return `<p id="admin-status" data-state="changed">The <code>admin</code> password has been set: log in with
<code>POST /v1/users/login</code> and HTTP Basic authentication to get a bearer token.</p>`;
  }
  return (
    `<p id="admin-status" data-state="unknown">Log in with <code>POST /v1/users/login</code> and HTTP Basic
authentication. Unless <code>WA_ADMIN_PASSWORD</code> was set, the first login of ` +
    `<code>admin</code> / <code>secret</code>
must carry <code>new_password</code>.</p>`
  );
}

function pagesSection(pageIds: string[], generated: boolean): string {
  const items = pageIds.map((id) => `<li><code class="page-id">${escapeHtml(id)}</code></li>`).join("\n");
  const origin = generated
    ? "A development page generated at the first start on this data directory and kept there (set " +
      "<code>MESSENGER_PAGES</code> to choose); its page access token was printed in the server's log at that " +
      "first start."
    : "From <code>MESSENGER_PAGES</code>; their page access tokens are in your configuration.";
  return (
    `<ul id="pages">\n${items}\n</ul>\n<p>${origin} ` +
    `Call <code>POST /v21.0/{page_id}/message_attachments?access_token=...</code>
(any <code>vN.N</code> version prefix) or use <code>me</code> for the token's own page.</p>`
  );
}

/** Renders `/`. `base` is the origin the request reached, used in the sample command. */
export function renderIndexPage(facts: IndexPageFacts, base: string): string {
  const title = escapeHtml(facts.title);
  const specVersion = escapeHtml(facts.specVersion);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}: reference server</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #1d1d1f; }
code, pre { font-family: ui-monospace, monospace; font-size: 0.9em; }
pre { background: #f4f4f6; padding: 0.75rem; overflow-x: auto; border-radius: 6px; }
a { color: #0b57d0; }
</style>
</head>
<body>
<h1>${title}</h1>
<p>Reference server of <code>meta-media-openapi</code>: the WhatsApp Business On-Premises media, users and application
settings API (WA envelope, <code>meta.version</code> ${escapeHtml(facts.whatsAppApiVersion)}) and the Messenger Platform
attachment upload and send API (Graph envelope), as described by the spec (version ${specVersion}).</p>
<h2>Documentation</h2>
<ul id="links">
<li><a href="/docs">API reference</a> (rendered with Redoc)</li>
<li><a href="/openapi.json">openapi.json</a>: the bundled OpenAPI 3.1 description</li>
<li><a href="/openapi.yaml">openapi.yaml</a>: the same, as YAML</li>
</ul>
<p>To generate a client, use the description of one API family, with its own servers:</p>
<ul id="family-bundles">
<li><a href="/whatsapp.openapi.json">whatsapp.openapi.json</a> (<a href="/whatsapp.openapi.yaml">YAML</a>):
the WhatsApp Business On-Premises operations</li>
<li><a href="/messenger.openapi.json">messenger.openapi.json</a> (<a href="/messenger.openapi.yaml">YAML</a>):
the Messenger Platform operations</li>
<li><a href="/messenger.multipart.openapi.json">messenger.multipart.openapi.json</a>
(<a href="/messenger.multipart.openapi.yaml">YAML</a>): the same, with <code>uploadAttachment</code> as a
<code>multipart/form-data</code> file upload only, for generators that pick one request media type</li>
</ul>
<h2>WhatsApp: log in</h2>
${adminSection(facts.adminPasswordChangeRequired, base)}
<h2>Messenger pages</h2>
${pagesSection(facts.pageIds, facts.generatedDevPage)}
</body>
</html>
`;
}
