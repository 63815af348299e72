/**
 * Turns the `pathway` statechart definition into a laid-out diagram: one box per
 * top-level stage, one arrow per pair of stages some event moves between, placed by
 * dagre. Nothing is hand-drawn, so a new machine version redraws itself.
 */
import dagre from '@dagrejs/dagre';
import type { AnyStateMachine } from 'xstate';

/** A stage box with its position (centre) and size. */
export interface DiagramNode {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
  final: boolean;
  initial: boolean;
}

/** An arrow between stages, with the events that move along it. */
export interface DiagramEdge {
  from: string;
  to: string;
  events: string[];
  /** Custody and timer edges are drawn quieter than the main journey. */
  kind: 'main' | 'custody' | 'timer';
  points: Array<{ x: number; y: number }>;
  label?: { x: number; y: number };
}

export interface PathwayDiagram {
  nodes: DiagramNode[];
  edges: DiagramEdge[];
  width: number;
  height: number;
}

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
    const kind: DiagramEdge['kind'] = events.every((t) => CUSTODY_EVENTS.has(t))
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

/**
 * Lays the pathway out left to right with dagre.
 * @param nodeSize - the box size to reserve for each stage
 */
export function layoutPathway(
  machine: AnyStateMachine,
  timerEvents: ReadonlySet<string>,
  nodeSize = { width: 172, height: 94 },
): PathwayDiagram {
  const { stages, edges } = pathwayEdges(machine, timerEvents);
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: 'LR', nodesep: 26, ranksep: 54, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const s of stages) g.setNode(s.id, { width: nodeSize.width, height: nodeSize.height });
  for (const e of edges) {
    // Custody edges join every open stage to custody and back; light weight keeps them
    // from pulling the main journey out of its left-to-right line.
    const weight = e.kind === 'main' ? 4 : 1;
    const minlen = e.kind === 'custody' ? 1 : 1;
    g.setEdge(e.from, e.to, { weight, minlen, width: e.kind === 'main' ? 8 : 0, height: 8 });
  }
  dagre.layout(g);
  const nodes: DiagramNode[] = stages.map((s) => {
    const n = g.node(s.id) as { x: number; y: number; width: number; height: number };
    return { id: s.id, x: n.x, y: n.y, width: n.width, height: n.height, final: s.final, initial: s.initial };
  });
  const laidEdges: DiagramEdge[] = edges.map((e) => {
    const le = g.edge(e.from, e.to) as { points?: Array<{ x: number; y: number }>; x?: number; y?: number };
    return {
      ...e,
      points: le.points ?? [],
      ...(le.x !== undefined && le.y !== undefined ? { label: { x: le.x, y: le.y } } : {}),
    };
  });
  const graph = g.graph() as { width?: number; height?: number };
  return { nodes, edges: laidEdges, width: graph.width ?? 800, height: graph.height ?? 300 };
}
