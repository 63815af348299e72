/**
 * The figures operators scrape from `/metrics` (Prometheus): besides request latency
 * (api/http/operator-metrics.ts) and node's process metrics, the engine's transitions, its
 * commits and how many units each held (the group-commit size), how late timers fire, live
 * sockets, the PostgreSQL pool's connections, waiting callers and how long they waited,
 * and the password hashing pool.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { passwordHashPool } from '../src/auth/password.ts';
import type { Store } from '../src/db/database.ts';
import type { Engine } from '../src/engine/engine-types.ts';

/** Builds the registry for one running node. */
export function createOperatorRegistry(parts: { engine: Engine; store: Store; sockets: () => number }): { registry: Registry; detach: () => void } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'pathways_process_' });
  const transitions = new Counter({ name: 'pathways_transitions_total', help: 'Events committed through this node, by stream type and whether a timer sent them', labelNames: ['stream', 'by'] as const, registers: [registry] });
  const timerLag = new Histogram({
    name: 'pathways_timer_lag_seconds',
    help: 'From a timer falling due to its event committing',
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const timerTypes = parts.engine.registry.timerEventTypes;
  const detachTransitions = parts.engine.onCommit((changes) => {
    const now = Date.now();
    for (const c of changes) {
      const byTimer = c.actor.userId === null && timerTypes.has(c.type);
      transitions.inc({ stream: c.stream, by: byTimer ? 'timer' : 'user' });
      if (byTimer) timerLag.observe(Math.max(0, (now - Date.parse(c.effectiveAt)) / 1000));
    }
  });
  const commitSizes = new Histogram({
    name: 'pathways_group_commit_units',
    help: 'Units of work per commit (group commit packs many in one; each commit is one log sync on SQLite)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [registry],
  });
  const detachSizes = parts.engine.onCommitSize((units) => commitSizes.observe(units));
  new Gauge({ name: 'pathways_commits', help: 'Commits made by this node\'s engine (one per group commit)', registers: [registry], collect() { this.set(parts.engine.stats().commits); } });
  new Gauge({ name: 'pathways_committed_units', help: 'Units of work committed by this node (units ÷ commits = mean group-commit size)', registers: [registry], collect() { this.set(parts.engine.stats().units); } });
  new Gauge({ name: 'pathways_live_sockets', help: 'Live sockets connected to this node', registers: [registry], collect() { this.set(parts.sockets()); } });
  const pool = parts.store.poolStats;
  if (pool) {
    new Gauge({ name: 'pathways_pg_pool_connections', help: 'PostgreSQL connections open in this node\'s pool', registers: [registry], collect() { this.set(pool().total); } });
    new Gauge({ name: 'pathways_pg_pool_waiting', help: 'Callers waiting for a PostgreSQL connection', registers: [registry], collect() { this.set(pool().waiting); } });
  }
  const poolWait = parts.store.onPoolWait
    ? new Histogram({
        name: 'pathways_pg_pool_wait_seconds',
        help: 'How long each caller waited for a PostgreSQL connection from this node\'s pool (a new connection\'s set-up included)',
        buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        registers: [registry],
      })
    : null;
  const detachPoolWait = poolWait && parts.store.onPoolWait ? parts.store.onPoolWait((seconds) => poolWait.observe(seconds)) : () => undefined;
  new Gauge({ name: 'pathways_password_hash_queued', help: 'Sign-ins waiting for a hashing thread', registers: [registry], collect() { this.set(passwordHashPool().stats().queued); } });
  new Gauge({ name: 'pathways_password_hash_refused', help: 'Sign-ins refused because the hashing queue was full (since start)', registers: [registry], collect() { this.set(passwordHashPool().stats().refused); } });
  return {
    registry,
    detach() {
      detachTransitions();
      detachSizes();
      detachPoolWait();
    },
  };
}
