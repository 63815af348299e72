/**
 * The web app at `/`: its built files (`npm run build:web` writes them to `web/dist`), with
 * the app's index for the browser's client-side pages. On a checkout where the web app was
 * never built, `/` answers a short page saying how to build it instead of a bare 404, so a
 * half-installed product says what is missing; the API is served either way.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router, type Request } from 'express';
import { sendText } from './send-text.ts';

/** True when `webDist` holds a built web app. */
export function webAppBuilt(webDist: string): boolean {
  return existsSync(join(webDist, 'index.html'));
}

/** The page served at `/` while the web app is not built. */
export const WEB_APP_NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Pathways — web app not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}code{background:#eee;padding:0 .25rem}</style></head>
<body>
<h1>Pathways is running, but its web app is not built</h1>
<p>The API is up (<a href="/api/docs">API reference</a>, <a href="/readyz">readiness</a>). To use Pathways in a browser, build the web app once and restart the server:</p>
<pre><code>npm run build:web
npx pathways serve</code></pre>
<p><code>npm start</code> builds it for you before starting the demo.</p>
</body>
</html>
`;

// API paths and probes keep their 404 problem; everything else may be a page of the app.
const PAGE_PATH = /^\/(?!api\/|api$|healthz|readyz).*/;

function wantsHtml(req: Request): boolean {
  return req.headers.accept?.includes('text/html') === true && req.accepts(['json', 'html']) === 'html';
}

/** Routes serving the web app from `webDist`, or the build page when it is not built. */
export function webAppRoutes(webDist: string): Router {
  const router = Router();
  if (!webAppBuilt(webDist)) {
    router.get('/', function webAppNotBuilt(_req, res) {
      sendText(res, 200, 'text/html; charset=utf-8', WEB_APP_NOT_BUILT_PAGE);
    });
    return router;
  }
  router.use(express.static(webDist, { index: 'index.html', maxAge: '1h' }));
  // Client-side routes of the web app load its index when a browser asks for a page;
  // clients that do not ask for HTML keep the 404 problem.
  router.get(PAGE_PATH, function webAppPage(req, res, next) {
    if (wantsHtml(req)) res.sendFile(join(webDist, 'index.html'));
    else next();
  });
  return router;
}
