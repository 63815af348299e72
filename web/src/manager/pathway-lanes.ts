/**
 * The pathway drawn in lanes, readable at 1,280 px: the main path left to right in the
 * middle (the stages a journey moves forward through, in the order the statechart's main
 * moves reach them), custody as a lane above, rapid re-entry and closure as lanes below.
 * Lane links leave a stage by its top or bottom and run along their own lane, so nothing
 * crosses the main path. Stages and moves come from the machine (`pathwayEdges`); only
 * which stages sit in the side lanes is a drawing choice, named here.
 */
import type { AnyStateMachine } from 'xstate';
import { pathwayEdges } from './pathway-graph.ts';

/** Side-lane stages: custody above the main path, re-entry below it. Final stages are the closure lane. */
const ABOVE = new Set(['inCustody']);
const BELOW = new Set(['rapidReentry']);

export const BOX = { width: 138, height: 104 };
const GAP = 30;
const GUTTER = 28;
const TOP = 12;

/** A stage box (top-left corner and size). */
export interface LaneNode {
  id: string;
  lane: 'main' | 'above' | 'below' | 'closure';
  x: number;
  y: number;
  width: number;
  height: number;
  final: boolean;
  initial: boolean;
}

/** A link drawn as a polyline, with what moves along it. */
export interface LaneLink {
  id: string;
  kind: 'main' | 'custody' | 'closure' | 'reentry' | 'timer';
  points: Array<{ x: number; y: number }>;
  /** Arrowheads at the end (and the start, for custody's there-and-back). */
  both?: boolean;
  title: string;
}

/** A lane's caption. */
export interface LaneLabel {
  x: number;
  y: number;
  text: string;
}

export interface LaneDiagram {
  nodes: LaneNode[];
  links: LaneLink[];
  labels: LaneLabel[];
  /** The main path's own segments (for checks that nothing crosses them). */
  mainPath: Array<{ from: string; to: string }>;
  width: number;
  height: number;
}

/** Lays the pathway out in lanes. */
export function layoutLanes(machine: AnyStateMachine, timerEvents: ReadonlySet<string>): LaneDiagram {
  const { stages, edges } = pathwayEdges(machine, timerEvents);
  const finals = stages.filter((s) => s.final).map((s) => s.id);
  const side = (id: string) => ABOVE.has(id) || BELOW.has(id) || finals.includes(id);
  // The main path: breadth first from the initial stage along main moves between main-lane stages.
  const initial = stages.find((s) => s.initial)?.id ?? stages[0]?.id ?? '';
  const order: string[] = [];
  const queue = [initial];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (order.includes(id) || side(id)) continue;
    order.push(id);
    for (const e of edges) if (e.from === id && e.kind === 'main' && !side(e.to)) queue.push(e.to);
  }
  for (const s of stages) if (!side(s.id) && !order.includes(s.id)) order.push(s.id);

  const col = (i: number) => GUTTER + i * (BOX.width + GAP);
  const aboveTop = TOP;
  const custodyBus = aboveTop + BOX.height + 20;
  const mainTop = custodyBus + 24;
  const mainMid = mainTop + BOX.height / 2;
  const closureBus = mainTop + BOX.height + 24;
  const belowTop = closureBus + 28;
  const belowMid = belowTop + BOX.height / 2;
  const lastCol = col(order.length - 1);
  const closedX = lastCol + 60;
  const width = closedX + BOX.width + GUTTER;
  const height = belowTop + BOX.height + TOP;

  const nodes: LaneNode[] = [];
  const at = new Map<string, LaneNode>();
  const place = (id: string, lane: LaneNode['lane'], x: number, y: number) => {
    const s = stages.find((t) => t.id === id)!;
    const n: LaneNode = { id, lane, x, y, ...BOX, final: s.final, initial: s.initial };
    nodes.push(n);
    at.set(id, n);
  };
  order.forEach((id, i) => place(id, 'main', col(i), mainTop));
  const aboveIds = stages.filter((s) => ABOVE.has(s.id)).map((s) => s.id);
  aboveIds.forEach((id, i) => place(id, 'above', (col(0) + lastCol) / 2 + i * (BOX.width + GAP), aboveTop));
  // Re-entry sits under the stage it returns to, so its way back is straight up.
  const belowIds = stages.filter((s) => BELOW.has(s.id)).map((s) => s.id);
  belowIds.forEach((id, i) => {
    const back = edges.find((e) => e.from === id && order.includes(e.to));
    const x = back ? at.get(back.to)!.x : col(i);
    place(id, 'below', x, belowTop);
  });
  finals.forEach((id, i) => place(id, 'closure', closedX + i * (BOX.width + GAP), belowTop));

  const links: LaneLink[] = [];
  const mainPath: LaneDiagram['mainPath'] = [];
  const drawn = new Set<string>();
  const title = (from: string, to: string) => edges.find((e) => e.from === from && e.to === to)?.events ?? [];
  // The main path: consecutive main stages.
  for (let i = 0; i + 1 < order.length; i++) {
    const a = at.get(order[i]!)!;
    const b = at.get(order[i + 1]!)!;
    if (!edges.some((e) => e.from === a.id && e.to === b.id)) continue;
    links.push({ id: `${a.id}->${b.id}`, kind: 'main', points: [{ x: a.x + a.width, y: mainMid }, { x: b.x, y: mainMid }], title: title(a.id, b.id).join(', ') });
    mainPath.push({ from: a.id, to: b.id });
    drawn.add(`${a.id}->${b.id}`);
  }
  // Custody: every stage that can go into custody has a there-and-back link up to the custody bus.
  for (const c of aboveIds) {
    const box = at.get(c)!;
    const into = edges.filter((e) => e.to === c).map((e) => e.from);
    const xs: number[] = [];
    for (const from of into) {
      const n = at.get(from);
      if (!n) continue;
      drawn.add(`${from}->${c}`);
      drawn.add(`${c}->${from}`);
      if (n.lane === 'main') {
        const x = n.x + n.width / 2 + 30;
        xs.push(x);
        links.push({ id: `${from}<->${c}`, kind: 'custody', both: true, points: [{ x, y: n.y }, { x, y: custodyBus }], title: 'Custody started; released back to this stage' });
      } else if (n.lane === 'below') {
        // Round the outside of the main path, through the left gutter.
        const x = GUTTER / 2;
        xs.push(x);
        links.push({ id: `${from}<->${c}`, kind: 'custody', both: true, points: [{ x: n.x, y: n.y + n.height / 2 }, { x, y: n.y + n.height / 2 }, { x, y: custodyBus }], title: 'Custody started; released back to this stage' });
      }
    }
    if (xs.length > 0) {
      const centre = box.x + box.width / 2;
      links.push({ id: `${c}-bus`, kind: 'custody', points: [{ x: Math.min(...xs, centre), y: custodyBus }, { x: Math.max(...xs, centre), y: custodyBus }], title: 'Custody and release' });
      links.push({ id: `${c}-drop`, kind: 'custody', points: [{ x: centre, y: box.y + box.height }, { x: centre, y: custodyBus }], title: 'Custody and release' });
    }
  }
  // Closure: discharges drop to the closure bus, which runs into the closed box.
  for (const f of finals) {
    const closed = at.get(f)!;
    const entry = closed.x + 40;
    const xs: number[] = [];
    for (const e of edges.filter((x) => x.to === f)) {
      const n = at.get(e.from);
      if (!n) continue;
      drawn.add(`${e.from}->${f}`);
      const timerOnly = e.kind === 'timer';
      if (n.lane === 'main') {
        if (timerOnly) {
          const x = n.x + n.width - 20;
          links.push({ id: `${e.from}->${f}`, kind: 'timer', points: [{ x, y: n.y + n.height }, { x, y: closed.y }], title: e.events.join(', ') });
          continue;
        }
        const x = n.x + n.width / 2 - 30;
        xs.push(x);
        links.push({ id: `${e.from}->${f}`, kind: 'closure', points: [{ x, y: n.y + n.height }, { x, y: closureBus }], title: e.events.join(', ') });
      } else if (n.lane === 'below') {
        const x = n.x + n.width / 2 - 30;
        xs.push(x);
        links.push({ id: `${e.from}->${f}`, kind: 'closure', points: [{ x, y: n.y }, { x, y: closureBus }], title: e.events.join(', ') });
      } else if (n.lane === 'above') {
        // Round the outside of the main path, through the right gutter.
        const x = width - GUTTER / 2;
        links.push({ id: `${e.from}->${f}`, kind: 'closure', points: [{ x: n.x + n.width, y: n.y + n.height / 2 }, { x, y: n.y + n.height / 2 }, { x, y: closed.y + closed.height / 2 }, { x: closed.x + closed.width, y: closed.y + closed.height / 2 }], title: e.events.join(', ') });
      }
    }
    if (xs.length > 0) {
      links.push({ id: `${f}-bus`, kind: 'closure', points: [{ x: Math.min(...xs), y: closureBus }, { x: entry, y: closureBus }, { x: entry, y: closed.y }], title: 'Discharged or closed' });
    }
  }
  // Re-entry: relapse drops from its stage to the re-entry lane; re-entry goes straight back up.
  for (const r of belowIds) {
    const box = at.get(r)!;
    for (const e of edges) {
      if (drawn.has(`${e.from}->${e.to}`)) continue;
      if (e.to === r) {
        const n = at.get(e.from);
        if (!n || n.lane !== 'main') continue;
        const x = n.x + 20;
        links.push({ id: `${e.from}->${r}`, kind: 'reentry', points: [{ x, y: n.y + n.height }, { x, y: belowMid }, { x: box.x + box.width, y: belowMid }], title: e.events.join(', ') });
        drawn.add(`${e.from}->${r}`);
      } else if (e.from === r) {
        const n = at.get(e.to);
        if (!n || n.lane !== 'main') continue;
        const x = box.x + box.width / 2 + 30;
        links.push({ id: `${r}->${e.to}`, kind: 'reentry', points: [{ x, y: box.y }, { x, y: n.y + n.height }], title: e.events.join(', ') });
        drawn.add(`${r}->${e.to}`);
      }
    }
  }
  const labels: LaneLabel[] = [
    { x: GUTTER + 4, y: custodyBus - 6, text: 'Custody: from any open stage; release returns to the same stage' },
    { x: GUTTER + 4, y: closureBus + 16, text: 'Discharged (closed), or on to recovery check-ups' },
  ];
  if (belowIds.length > 0) labels.push({ x: GUTTER + 4, y: belowMid - 4, text: 'Relapse: rapid re-entry' });
  return { nodes, links, labels, mainPath, width, height };
}
