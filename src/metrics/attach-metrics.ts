/**
 * Wires the measures to an engine: every change is folded into the counters inside the
 * transaction that applies it (engine.useInTransaction), so the measures are always exactly
 * as current as the journeys, and a rolled-back event leaves no trace in them.
 */
import type { Engine, StreamChange } from '../engine/engine-types.ts';
import { applyMetricChange } from './apply-change.ts';
import type { MetricChange } from './metric-change.ts';

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

/** Keeps the measures current from `engine`'s changes; returns a function that detaches. */
export function attachMetrics(engine: Pick<Engine, 'useInTransaction'>): () => void {
  return engine.useInTransaction((trx, change) => applyMetricChange(trx, metricChangeOf(change)));
}
