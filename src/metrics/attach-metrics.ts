/**
 * Wires the measures to an engine: every change is folded into the measures inside the
 * transaction that applies it, so the measures are always exactly as current as the
 * journeys, and a rolled-back event leaves no trace in them.
 *
 * Each change's facts are written with the change (engine.useInTransaction); its counter
 * deltas are kept aside and, once per commit, added up with those of every other change in
 * the same commit and written in one go (engine.useBeforeCommit). A SQLite group commit
 * holds many transitions, and most move the same few counters (the same stage, agency and
 * day), so this writes each counter row once per commit instead of once per transition.
 * A unit that rolls back never reaches the before-commit hook, so its deltas are dropped.
 */
import type { Engine, StreamChange } from '../engine/engine-types.ts';
import { applyMetricChange } from './apply-change.ts';
import type { BlockDelta, CounterDelta } from './counter-deltas.ts';
import { applyCounterDeltas } from './counter-store.ts';
import type { MetricChange } from './metric-change.ts';
import { metricsDb } from './metric-tables.ts';

/** The measures' view of an engine change. */
export function metricChangeOf(change: StreamChange): MetricChange {
  return {
    stream: change.stream,
    id: change.id,
    version: change.version,
    seq: change.seq,
    type: change.type,
    payload: change.payload,
    fromStage: change.fromStage,
    toStage: change.toStage,
    effectiveAt: change.effectiveAt,
  };
}

/** Adds up rows that differ only in `n`; drops those that come to zero. */
export function sumDeltas<T extends { n: number }>(lists: ReadonlyArray<readonly T[]>): T[] {
  const byKey = new Map<string, T>();
  for (const list of lists) {
    for (const row of list) {
      let key = '';
      for (const field in row) if (field !== 'n') key += `${String(row[field])}\u0001`;
      const hit = byKey.get(key);
      if (hit) hit.n += row.n;
      else byKey.set(key, { ...row });
    }
  }
  return [...byKey.values()].filter((r) => r.n !== 0);
}

/** Keeps the measures current from `engine`'s changes; returns a function that detaches. */
export function attachMetrics(engine: Pick<Engine, 'useInTransaction' | 'useBeforeCommit'>): () => void {
  const pending = new WeakMap<StreamChange, { counts: readonly CounterDelta[]; blocks: readonly BlockDelta[] }>();
  const offChange = engine.useInTransaction((trx, change, sql) =>
    applyMetricChange(trx, metricChangeOf(change), {
      sql,
      sink: async (counts, blocks) => {
        pending.set(change, { counts, blocks });
      },
    }),
  );
  const offCommit = engine.useBeforeCommit(async (trx, changes, sql) => {
    const held = changes.map((c) => pending.get(c)).filter((p) => p !== undefined);
    if (held.length === 0) return;
    const counts = sumDeltas(held.map((p) => p.counts));
    const blocks = sumDeltas(held.map((p) => p.blocks));
    if (counts.length > 0 || blocks.length > 0) await applyCounterDeltas(metricsDb(trx), counts, blocks, sql);
  });
  return () => {
    offChange();
    offCommit();
  };
}
