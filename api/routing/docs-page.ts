/**
 * The browsable API reference at `/api/docs`: the OpenAPI document rendered to plain,
 * self-contained HTML on the server (no script, no CDN), so it works offline and under
 * a strict Content-Security-Policy.
 */

type JsonObject = Record<string, unknown>;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function block(title: string, value: unknown): string {
  if (value === undefined) return '';
  return `<details><summary>${escapeHtml(title)}</summary><pre>${escapeHtml(JSON.stringify(value, null, 2))}</pre></details>`;
}

/** Renders an OpenAPI document as one HTML page. */
export function renderDocsPage(doc: JsonObject): string {
  const info = doc.info as { title: string; version: string; description: string };
  const paths = doc.paths as Record<string, Record<string, JsonObject>>;
  const byTag = new Map<string, string[]>();
  for (const [path, ops] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const tag = ((op.tags as string[] | undefined) ?? ['other'])[0] ?? 'other';
      const params = (op.parameters as JsonObject[] | undefined) ?? [];
      const body = (op.requestBody as { content: Record<string, { schema: unknown }> } | undefined)?.content['application/json']?.schema;
      const responses = op.responses as Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
      const html = `<section class="op" id="${escapeHtml(String(op.operationId))}">
<h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>
<p><strong>${escapeHtml(typeof op.summary === 'string' ? op.summary : '')}</strong></p>
<p>${escapeHtml(typeof op.description === 'string' ? op.description : '')}</p>
${params.length ? `<table><thead><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr></thead><tbody>${params
        .map((p) => `<tr><td><code>${escapeHtml(String(p.name))}</code></td><td>${escapeHtml(String(p.in))}</td><td>${p.required ? 'yes' : 'no'}</td><td><code>${escapeHtml(JSON.stringify(p.schema))}</code></td></tr>`)
        .join('')}</tbody></table>` : ''}
${block('Request body (application/json)', body)}
<ul>${Object.entries(responses)
        .map(([status, r]) => `<li><strong>${escapeHtml(status)}</strong> ${escapeHtml(r.description)}${r.content ? block('schema', Object.values(r.content)[0]?.schema) : ''}</li>`)
        .join('')}</ul>
</section>`;
      const list = byTag.get(tag) ?? [];
      list.push(html);
      byTag.set(tag, list);
    }
  }
  const toc = [...byTag.keys()].map((tag) => `<li><a href="#tag-${escapeHtml(tag)}">${escapeHtml(tag)}</a></li>`).join('');
  const sections = [...byTag.entries()]
    .map(([tag, ops]) => `<h2 id="tag-${escapeHtml(tag)}">${escapeHtml(tag)}</h2>${ops.join('\n')}`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(info.title)} ${escapeHtml(info.version)}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:70rem;margin:0 auto;padding:1rem 2rem;color:#1b1b1b}
code,pre{font-family:ui-monospace,monospace;font-size:13px}pre{background:#f4f4f4;padding:.75rem;overflow:auto}
.op{border-top:1px solid #ccc;padding:.5rem 0}.method{display:inline-block;min-width:4rem;padding:0 .4rem;color:#fff;border-radius:3px;text-align:center}
.get{background:#1d5fa8}.post{background:#1e7a3c}.put,.patch{background:#8a5a00}.delete{background:#a11}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left}summary{cursor:pointer}
</style></head><body>
<h1>${escapeHtml(info.title)} <small>${escapeHtml(info.version)}</small></h1>
<p>${escapeHtml(info.description)}</p>
<p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1).</p>
<nav><ul>${toc}</ul></nav>
${sections}
</body></html>`;
}
