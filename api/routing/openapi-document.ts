/**
 * Generates the OpenAPI 3.1 document from the route declarations, with zod 4's
 * `z.toJSONSchema` (JSON Schema 2020-12, which OpenAPI 3.1 uses as is). Requests are
 * described by their input side, responses by their output side.
 */
import { z } from 'zod';
import type { AnyRoute } from './route.ts';

type JsonObject = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const out = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any', reused: 'inline' }) as JsonObject;
  delete out.$schema;
  return out;
}

function parameters(route: AnyRoute): JsonObject[] {
  const list: JsonObject[] = [];
  for (const [where, schema] of [['path', route.params], ['query', route.query]] as const) {
    if (!schema) continue;
    const json = jsonSchema(schema as z.ZodType, 'input');
    const props = (json.properties ?? {}) as Record<string, JsonObject>;
    const required = new Set((json.required ?? []) as string[]);
    for (const [name, prop] of Object.entries(props)) {
      const { description, ...rest } = prop;
      list.push({
        name,
        in: where,
        required: where === 'path' || required.has(name),
        ...(typeof description === 'string' ? { description } : {}),
        schema: rest,
      });
    }
  }
  return list;
}

const PROBLEM_SCHEMA: JsonObject = {
  type: 'object',
  description: 'RFC 9457 problem details; `code` is stable and machine-readable.',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: {
      type: 'string',
      enum: [
        'validation_failed', 'invalid_transition', 'version_conflict', 'not_found', 'unauthenticated', 'forbidden',
        'consent_required', 'conflict', 'rate_limited', 'payload_too_large', 'malformed_json', 'unsupported_media_type', 'internal_error',
      ],
    },
    instance: { type: 'string' },
    issues: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
    allowedEvents: { type: 'array', items: { type: 'string' } },
    eventOptions: { type: 'object', additionalProperties: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } } },
    currentVersion: { type: 'integer' },
    missing: { type: 'object' },
  },
};

/** The OpenAPI 3.1 document for a set of routes. */
export function openApiDocument(routes: readonly AnyRoute[], info: { version: string }): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  const tags = new Set<string>();
  for (const route of routes) {
    tags.add(route.tag);
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const responses: Record<string, JsonObject> = {};
    for (const [status, spec] of Object.entries(route.responses)) {
      responses[status] = {
        description: spec.description,
        ...(spec.schema ? { content: { 'application/json': { schema: jsonSchema(spec.schema, 'output') } } } : {}),
      };
    }
    responses.default = {
      description: 'A problem (see the `code`): 400, 401, 403, 404, 409, 413, 415, 422 or 429.',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    };
    const roles = route.auth === 'public' ? 'public' : (route.auth as readonly string[]).join(', ');
    paths[path] ??= {};
    paths[path][route.method] = {
      operationId: route.operationId,
      summary: route.summary,
      description: `${route.description ? `${route.description}\n\n` : ''}Roles: ${roles}.`,
      tags: [route.tag],
      ...(route.auth === 'public' ? { security: [] } : {}),
      parameters: parameters(route),
      ...(route.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body as z.ZodType, 'input') } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Pathways API',
      version: info.version,
      description:
        'Multi-agency referral and care-pathway engine for drug and alcohol recovery services. ' +
        'Sign in with POST /api/v1/auth/login and send `Authorization: Bearer TOKEN`. ' +
        'Errors are `application/problem+json` (RFC 9457) with a stable `code`.',
    },
    servers: [{ url: '/' }],
    tags: [...tags].map((name) => ({ name })),
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Opaque token from POST /api/v1/auth/login' } },
      schemas: { Problem: PROBLEM_SCHEMA },
    },
    paths,
  };
}
