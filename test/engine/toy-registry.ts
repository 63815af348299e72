/**
 * A registry for engine tests that holds the product's machines plus extra versions and
 * a small `clock` machine whose timers are easy to reason about.
 */
import { assign, cancel, raise, setup, type AnyStateMachine } from 'xstate';
import type { StreamType } from '../../src/db/schema.ts';
import { pathwaysRegistry, type MachineRegistry } from '../../src/engine/machine-registry.ts';

/**
 * A journey-like toy: `waiting` starts a 1-day `clock` timer (cancelled on leaving, and
 * restarted by RESTART), `TICK` from the timer counts in context; `DONE` needs `ok: true`.
 */
export const clockMachine = setup({
  types: {
    context: {} as { ticks: number; restarts: number },
    events: {} as
      | { type: 'RESTART'; at: string }
      | { type: 'TICK'; at: string }
      | { type: 'MOVE'; at: string }
      | { type: 'DONE'; at: string; ok?: boolean },
    input: {},
  },
  guards: { isOk: ({ event }) => event.type === 'DONE' && event.ok === true },
}).createMachine({
  id: 'clock',
  context: { ticks: 0, restarts: 0 },
  initial: 'waiting',
  states: {
    waiting: {
      entry: raise({ type: 'TICK', at: '' }, { id: 'clock', delay: 86_400_000 }),
      exit: cancel('clock'),
      on: {
        RESTART: { target: 'waiting', reenter: true, actions: assign({ restarts: ({ context }) => context.restarts + 1 }) },
        TICK: { actions: assign({ ticks: ({ context }) => context.ticks + 1 }) },
        MOVE: 'moved',
      },
    },
    moved: { on: { DONE: { guard: 'isOk', target: 'finished' } } },
    finished: { type: 'final' },
  },
});

/** A registry over `pathwaysRegistry` with extra machine versions per stream. */
export function extendRegistry(extra: Partial<Record<StreamType, Record<number, AnyStateMachine>>>, current?: Partial<Record<StreamType, number>>): MachineRegistry {
  return {
    ...pathwaysRegistry,
    getMachine(stream, version) {
      return extra[stream]?.[version] ?? pathwaysRegistry.getMachine(stream, version);
    },
    currentVersion(stream) {
      return current?.[stream] ?? pathwaysRegistry.currentVersion(stream);
    },
    timerEventTypes: new Set([...pathwaysRegistry.timerEventTypes, 'TICK']),
  };
}
