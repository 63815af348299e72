/**
 * Reads the `pathway` statechart definition as a graph: one node per top-level stage,
 * one edge per pair of stages some event moves between (pathway-lanes.ts places them).
 * Nothing is hand-drawn, so a new machine version redraws itself.
 */
import type { AnyStateMachine } from 'xstate';

/** How an edge is drawn: the main journey, custody and release, or a timer's move. */
export type EdgeKind = 'main' | 'custody' | 'timer';

interface StateNodeLike {
  key: string;
  type: string;
  states: Record<string, StateNodeLike>;
  transitions: Map<string, Array<{ target?: readonly StateNodeLike[] | undefined }>>;
  parent?: StateNodeLike | undefined;
  initial?: { target?: readonly StateNodeLike[] } | undefined;
}

const CUSTODY_EVENTS = new Set(['CUSTODY_STARTED', 'RELEASED_FROM_CUSTODY']);

/** The top-level stage a (possibly nested) state node belongs to. */
function stageOf(node: StateNodeLike, root: StateNodeLike): string {
  let n: StateNodeLike = node;
  while (n.parent && n.parent !== root) n = n.parent;
  return n.key;
}

function descendants(node: StateNodeLike): StateNodeLike[] {
  return [node, ...Object.values(node.states).flatMap(descendants)];
}

/**
 * Reads stages and stage-to-stage moves from a machine definition.
 * @param machine - an XState v5 machine (the pathway machine)
 * @param timerEvents - events only timers send (drawn dashed)
 */
export function pathwayEdges(machine: AnyStateMachine, timerEvents: ReadonlySet<string>) {
  const root = machine.root as unknown as StateNodeLike;
  const stages = Object.values(root.states);
  const initialKey = root.initial?.target?.[0]?.key ?? stages[0]?.key ?? '';
  const byPair = new Map<string, { from: string; to: string; events: Set<string> }>();
  for (const stage of stages) {
    for (const node of descendants(stage)) {
      for (const [eventType, transitions] of node.transitions) {
        for (const t of transitions) {
          for (const target of t.target ?? []) {
            const to = stageOf(target, root);
            if (to === stage.key) continue;
            const key = `${stage.key}->${to}`;
            const entry = byPair.get(key) ?? { from: stage.key, to, events: new Set<string>() };
            entry.events.add(eventType);
            byPair.set(key, entry);
          }
        }
      }
    }
  }
  const edges = [...byPair.values()].map((e) => {
    const events = [...e.events].sort();
    const kind: EdgeKind = events.every((t) => CUSTODY_EVENTS.has(t))
      ? 'custody'
      : events.every((t) => timerEvents.has(t))
        ? 'timer'
        : 'main';
    return { from: e.from, to: e.to, events, kind };
  });
  return {
    stages: stages.map((s) => ({ id: s.key, final: s.type === 'final', initial: s.key === initialKey })),
    edges,
  };
}
