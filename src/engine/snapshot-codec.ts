/**
 * Turns a live XState snapshot into the plain object stored in `cases.snapshot` /
 * `referrals.snapshot`, and back. Only what the pure `transition()` needs is kept: the
 * state value, context, status and (for history states) the remembered children by id.
 * Our machines spawn no actors, so `children` is never stored.
 */
import type { AnyMachineSnapshot, AnyStateMachine, StateValue } from 'xstate';

/** The JSON shape of a stored snapshot. */
export interface StoredSnapshot {
  value: StateValue;
  context: Record<string, unknown>;
  status: 'active' | 'done' | 'error' | 'stopped';
  /** History state id → ids of the remembered state nodes; absent when empty. */
  historyValue?: Record<string, Array<{ id: string }>>;
}

// Live snapshots for stored objects this process produced, so that a caller chaining
// plans (the cohort generator does hundreds of thousands) skips re-resolving each one.
const live = new WeakMap<StoredSnapshot, AnyMachineSnapshot>();

/**
 * The storable form of a live snapshot. `remember`: keep the live snapshot beside the
 * stored object, for a caller that will plan from that object again (the cohort generator
 * chains plans); the engine, which stores JSON and reads it back, does not ask — a weakly
 * held live snapshot per transition is garbage the young generation keeps copying.
 */
export function persistSnapshot(snapshot: AnyMachineSnapshot, remember = true): StoredSnapshot {
  const stored: StoredSnapshot = {
    value: snapshot.value as StateValue,
    context: snapshot.context as Record<string, unknown>,
    status: snapshot.status,
  };
  const history = snapshot.historyValue as Record<string, Array<{ id: string }>> | undefined;
  if (history) {
    let out: Record<string, Array<{ id: string }>> | undefined;
    for (const key in history) {
      const nodes = history[key];
      if (!nodes || nodes.length === 0) continue;
      out ??= {};
      out[key] = nodes.map((n) => ({ id: n.id }));
    }
    if (out) stored.historyValue = out;
  }
  if (remember) live.set(stored, snapshot);
  return stored;
}

/** A live snapshot of `machine` from its stored form (a JSON string or the parsed object). */
export function restoreSnapshot(machine: AnyStateMachine, stored: string | StoredSnapshot): AnyMachineSnapshot {
  const object: StoredSnapshot = typeof stored === 'string' ? (JSON.parse(stored) as StoredSnapshot) : stored;
  const cached = typeof stored === 'string' ? undefined : live.get(object);
  if (cached && cached.machine === machine) return cached;
  let historyValue: Record<string, unknown[]> | undefined;
  if (object.historyValue) {
    historyValue = {};
    for (const key in object.historyValue) {
      historyValue[key] = (object.historyValue[key] ?? []).map((n) => machine.getStateNodeById(n.id));
    }
  }
  const snapshot = machine.resolveState({
    value: object.value,
    context: object.context,
    status: object.status,
    ...(historyValue ? { historyValue } : {}),
  } as Parameters<AnyStateMachine['resolveState']>[0]);
  if (typeof stored !== 'string') live.set(object, snapshot);
  return snapshot;
}
