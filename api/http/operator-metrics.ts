/**
 * `GET /metrics` in Prometheus' text format, for operators only, and the request-latency
 * histogram behind it. The endpoint answers only a request bearing the operator token
 * (`PATHWAYS_METRICS_TOKEN`, `Authorization: Bearer …`) — the API's sign-in tokens do not
 * open it, and without a configured token it does not exist (404). Latency is labelled by
 * the route template (`/api/v1/cases/:id`, never the path a client sent), method and status.
 */
import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { Histogram, type Registry } from 'prom-client';
import { requestLogOf } from './request-log.ts';

/** What the app needs to serve operator metrics. */
export interface OperatorMetricsOptions {
  registry: Registry;
  /** The bearer token operators scrape with. */
  token: string;
}

const sameToken = (given: string, expected: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** Middleware timing every request into `http_request_duration_seconds`. */
export function requestMetrics(registry: Registry): RequestHandler {
  const histogram = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route template, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return function timeRequest(req, res, next) {
    const start = performance.now();
    res.once('finish', function finished(this: Response) {
      const route = requestLogOf(this)?.route ?? (this.statusCode === 404 ? 'unmatched' : 'other');
      histogram.observe({ route, method: req.method, status: String(this.statusCode) }, (performance.now() - start) / 1000);
    });
    next();
  };
}

/** `GET /metrics`: the registry's text, to the operator token only. */
export function metricsEndpoint(options: OperatorMetricsOptions): RequestHandler {
  return function serveMetrics(req, res, next) {
    if (req.method !== 'GET' || req.path !== '/metrics') {
      next();
      return;
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!match?.[1] || !sameToken(match[1], options.token)) {
      res.status(401).set('WWW-Authenticate', 'Bearer realm="pathways-metrics"').type('text/plain').send('The operator metrics token (PATHWAYS_METRICS_TOKEN) is required.\n');
      return;
    }
    options.registry.metrics().then(
      (text) => res.status(200).type(options.registry.contentType).send(text),
      (err: unknown) => next(err),
    );
  };
}
