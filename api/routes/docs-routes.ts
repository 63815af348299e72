/** The OpenAPI document and its browsable page, generated from the route declarations. */
import { z } from 'zod';
import type { AnyRoute } from '../routing/route.ts';
import { defineRoute } from '../routing/route.ts';
import { openApiDocument } from '../routing/openapi-document.ts';
import { renderDocsPage } from '../routing/docs-page.ts';

/** API version in the document's `info`; the paths are versioned under /api/v1. */
export const API_VERSION = '1.0.0';

/** Routes serving the document for `routes` (which should include these two). */
export function docsRoutes(allRoutes: () => readonly AnyRoute[]): AnyRoute[] {
  let cached: Record<string, unknown> | undefined;
  const doc = () => (cached ??= openApiDocument(allRoutes(), { version: API_VERSION }));
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/openapi.json',
      operationId: 'openapi',
      summary: 'This API as an OpenAPI 3.1 document',
      tag: 'docs',
      auth: 'public',
      responses: { 200: { description: 'the document', schema: z.record(z.string(), z.unknown()) } },
      async handle() {
        return { status: 200, body: doc() };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/docs',
      operationId: 'docsPage',
      summary: 'Browsable API reference (HTML)',
      tag: 'docs',
      auth: 'public',
      responses: { 200: { description: 'an HTML page' } },
      async handle() {
        return { status: 200, body: renderDocsPage(doc()), contentType: 'text/html; charset=utf-8' };
      },
    }),
  ];
}
