/** Liveness and readiness probes. */
import { z } from 'zod';
import { checkStoreAnswers } from '../../src/db/store-ready.ts';
import { defineRoute } from '../routing/route.ts';

const health = z.object({ status: z.literal('ok') });
const readiness = health.extend({
  timeZone: z.string().describe("the service's time zone: days are its calendar days"),
  now: z.iso.datetime().describe('the server\'s "now" (moved when PATHWAYS_CLOCK is set)'),
  clock: z.string().optional().describe('present only when PATHWAYS_CLOCK moves the server\'s "now": what it does'),
});

export const healthRoutes = [
  defineRoute({
    method: 'get',
    path: '/healthz',
    operationId: 'healthz',
    summary: 'Liveness: the process answers',
    tag: 'health',
    auth: 'public',
    responses: { 200: { description: 'alive', schema: health } },
    async handle() {
      return { status: 200, body: { status: 'ok' } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/readyz',
    operationId: 'readyz',
    summary: 'Readiness: the store answers a query',
    tag: 'health',
    auth: 'public',
    responses: {
      200: { description: 'ready, with the time zone and the server\'s "now" (and a warning when PATHWAYS_CLOCK moves it)', schema: readiness },
      503: { description: 'the store is not reachable', schema: z.object({ status: z.literal('unavailable'), detail: z.string() }) },
    },
    async handle({ ctx }) {
      try {
        await checkStoreAnswers(ctx.store.db);
        return {
          status: 200,
          body: { status: 'ok', timeZone: ctx.engine.timeZone, now: ctx.now().toISOString(), ...(ctx.clockNotice ? { clock: ctx.clockNotice } : {}) },
        };
      } catch (err) {
        return { status: 503, body: { status: 'unavailable', detail: err instanceof Error ? err.message : String(err) } };
      }
    },
  }),
];
