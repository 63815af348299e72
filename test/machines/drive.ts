/** Drives a machine with XState's pure API, as the engine does, keeping the actions of each step. */
import { initialTransition, transition, type AnyMachineSnapshot, type AnyStateMachine, type EventObject } from 'xstate';

/** One timer effect as the engine reads it from the actions `transition()` returns. */
export type TimerEffect = { kind: 'raise'; id: string; delay: number; event: EventObject } | { kind: 'cancel'; id: string };

/** The timer effects among a step's actions, in order. */
export function timerEffects(actions: ReadonlyArray<{ type: string; params?: unknown }>): TimerEffect[] {
  return actions.flatMap((a): TimerEffect[] => {
    const p = a.params as { id?: string; delay?: number; event?: EventObject; sendId?: string } | undefined;
    if (a.type === 'xstate.raise' && p?.id !== undefined && typeof p.delay === 'number' && p.event) {
      return [{ kind: 'raise', id: p.id, delay: p.delay, event: p.event }];
    }
    if (a.type === 'xstate.cancel' && typeof p?.sendId === 'string') return [{ kind: 'cancel', id: p.sendId }];
    return [];
  });
}

/** Starts a machine and applies events in order; returns the last snapshot and the effects of the last step. */
export function drive(machine: AnyStateMachine, input: unknown, events: EventObject[]): { snapshot: AnyMachineSnapshot; effects: TimerEffect[] } {
  let [snapshot, actions] = initialTransition(machine, input);
  for (const event of events) {
    const [next, nextActions] = transition(machine, snapshot, event);
    if (next === snapshot) throw new Error(`${event.type} was not accepted in ${JSON.stringify(snapshot.value)}`);
    snapshot = next;
    actions = nextActions;
  }
  return { snapshot, effects: timerEffects(actions) };
}

/** Applies one event; returns the next snapshot, whether it was accepted, and its effects. */
export function step(machine: AnyStateMachine, snapshot: AnyMachineSnapshot, event: EventObject) {
  const [next, actions] = transition(machine, snapshot, event);
  return { snapshot: next, accepted: next !== snapshot, effects: timerEffects(actions), actions };
}
