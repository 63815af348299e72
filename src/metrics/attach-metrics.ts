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
 *
 * The people whose episode rows a change redraws are recounted there too, once per commit,
 * before the counters (their person keys read there, in one statement for the commit).
 * That also fixes the order in which a PostgreSQL commit takes the
 * measures' shared locks whatever its units did: the people's locks in key order, then the
 * counter rows in key order (and no shared one during its units), so two commits side by
 * side — two writers, or two nodes — can wait for each other but never in a circle.
 */
import type { Engine, StreamChange } from '../engine/engine-types.ts';
import { CASE_READ_WITH_WRITE, applyMetricChange } from './apply-change.ts';
import { DeltaSet } from './counter-deltas.ts';
import { appendCounterDeltas, applyCounterDeltas } from './counter-store.ts';
import type { MetricChange } from './metric-change.ts';
import { metricsDb } from './metric-tables.ts';
import { recountPeopleOf } from './person-facts.ts';

/** The measures' view of an engine change (journeys and referrals only: records move no measure). */
export function metricChangeOf(change: StreamChange, timeZone?: string): MetricChange {
  return {
    stream: change.stream as MetricChange['stream'],
    id: change.id,
    version: change.version,
    seq: change.seq,
    type: change.type,
    payload: change.payload,
    fromStage: change.fromStage,
    toStage: change.toStage,
    effectiveAt: change.effectiveAt,
    timeZone,
  };
}

export interface AttachMetricsOptions {
  /**
   * PostgreSQL: append each commit's counter changes for the fold (counter-fold.ts) instead
   * of adding them to the shared block rows; whoever sets it must run the fold.
   */
  appendCounters?: boolean;
}

/** Keeps the measures current from `engine`'s changes; returns a function that detaches. */
export function attachMetrics(engine: Pick<Engine, 'useInTransaction' | 'useBeforeCommit'> & { timeZone?: string }, options: AttachMetricsOptions = {}): () => void {
  const timeZone = engine.timeZone;
  const writeCounters = options.appendCounters ? appendCounterDeltas : applyCounterDeltas;
  const pending = new WeakMap<StreamChange, DeltaSet>();
  const people = new WeakMap<StreamChange, readonly string[]>();
  const offChange = engine.useInTransaction(async (trx, change, sql) => {
    // People, agencies and staff move no measure (yet): their streams pass by.
    if (change.stream !== 'case' && change.stream !== 'referral') return;
    await applyMetricChange(trx, metricChangeOf(change, timeZone), {
      sql,
      // PostgreSQL: a journey's facts come read with its event's write.
      stored: change.readWithWrite,
      sink: async (deltas) => {
        pending.set(change, deltas);
      },
      people: async (ids) => {
        people.set(change, ids);
      },
    });
  }, { stream: 'case', sql: CASE_READ_WITH_WRITE });
  const offCommit = engine.useBeforeCommit(async (trx, changes, sql) => {
    // The commit's deltas merged by their keys (built once, per change), then sorted once.
    // Each change's set is used up here: a change reaches one commit only.
    const total = new DeltaSet();
    const recount = new Set<string>();
    for (const c of changes) {
      for (const id of people.get(c) ?? []) recount.add(id);
      people.delete(c);
      const deltas = pending.get(c);
      if (!deltas) continue;
      total.absorb(deltas);
      // Dropped now rather than when the change dies: a change outlives its commit (the
      // caller's answer, the live fan-out), and its spent set would go on being copied.
      pending.delete(c);
    }
    // The people's keys in one read for the commit (not one per change, inside its unit);
    // the recount sorts the keys and locks each person in that order.
    if (recount.size > 0) await recountPeopleOf(trx, [...recount], sql);
    if (!total.isEmpty()) await writeCounters(metricsDb(trx), total.nonZeroBlocks(), sql);
  });
  return () => {
    offChange();
    offCommit();
  };
}
