/**
 * Pure transitions at the cost of the transition alone: the one place Pathways builds
 * XState's inert actor scope itself instead of calling `transition()` / `initialTransition()`.
 *
 * Why: those two public functions build a fresh inert scope on every call (`createActor`,
 * which computes a throwaway initial snapshot, plus a new actor system). Measured on the
 * pathway machine (node 20, xstate 5.33, one core): `transition()` 116 µs against 14.5 µs
 * with the scope made once, `initialTransition()` 266 µs against 45 µs. The engine spends
 * about 240 µs of CPU on a whole transition (plan, SQL, hash, timers), so the public calls
 * would add some 40%, and the cohort generator replays hundreds of thousands of events.
 *
 * What it relies on: the machine's own actor-logic methods, `machine.transition(snapshot,
 * event, scope)` and `machine.getInitialSnapshot(scope, input)` (public, typed with the
 * public `ActorScope`), and that XState hands every action to `scope.actionExecutor`
 * instead of running it — exactly what `transition()` does inside. No private field is
 * read. test/machines/inert-transition.test.ts compares these functions with XState's
 * `transition()` / `initialTransition()` on timers, cancels and nested machines, so an
 * XState upgrade that changes this contract fails loudly there.
 */
import { createActor, type ActorScope, type AnyMachineSnapshot, type AnyStateMachine, type EventObject } from 'xstate';

/** An action as XState hands it to the executor; read `type` and `params` only. */
export interface CollectedAction {
  type: string;
  params?: unknown;
}

type InertScope = ActorScope<AnyMachineSnapshot, EventObject>;

const scopes = new WeakMap<AnyStateMachine, InertScope>();
// Transitions are synchronous but nest (a pathway action runs the intervention machine),
// so each call collects into its own list and restores the caller's afterwards.
let collected: CollectedAction[] = [];

function scopeFor(machine: AnyStateMachine): InertScope {
  let scope = scopes.get(machine);
  if (!scope) {
    // An unstarted actor lends `self` and `system` (read for inspection events only);
    // everything else is inert, and actions are collected, never run.
    const self = createActor(machine);
    const noop = (): void => undefined;
    scope = {
      self: self as unknown as InertScope['self'],
      system: self.system,
      id: '',
      sessionId: '',
      logger: noop,
      defer: noop,
      emit: noop,
      stopChild: noop,
      actionExecutor: (action) => {
        collected.push(action);
      },
    };
    scopes.set(machine, scope);
  }
  return scope;
}

function collecting<T>(fn: () => T): [T, CollectedAction[]] {
  const previous = collected;
  collected = [];
  try {
    return [fn(), collected];
  } finally {
    collected = previous;
  }
}

/**
 * `transition(machine, snapshot, event)` without building a scope per call: the next
 * snapshot (the same object when no transition was enabled) and the actions in order.
 */
export function inertTransition(machine: AnyStateMachine, snapshot: AnyMachineSnapshot, event: EventObject): [AnyMachineSnapshot, CollectedAction[]] {
  const scope = scopeFor(machine);
  return collecting(() => machine.transition(snapshot, event, scope) as AnyMachineSnapshot);
}

/** `initialTransition(machine, input)` without building a scope per call. */
export function inertInitialTransition(machine: AnyStateMachine, input: unknown): [AnyMachineSnapshot, CollectedAction[]] {
  const scope = scopeFor(machine);
  return collecting(() => machine.getInitialSnapshot(scope, input) as AnyMachineSnapshot);
}
