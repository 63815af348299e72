/**
 * Model-based coverage for a statechart: generate paths with @xstate/graph, replay each
 * with XState's pure `transition()`, extend every path by every sample event, and record
 * which state nodes and which transition definitions the generated paths reach and which
 * guards were seen rejecting. Suites assert the coverage is complete.
 */
import { getShortestPaths } from '@xstate/graph';
import { initialTransition, transition, type AnyMachineSnapshot, type AnyStateMachine, type EventObject } from 'xstate';

type AnyTransition = ReturnType<AnyStateMachine['getTransitionData']>[number];
type AnyNode = AnyTransition['source'];

/** What the model needs: input, sample events per state, and an abstraction of snapshots into a finite key. */
export interface ModelSpec {
  machine: AnyStateMachine;
  input: unknown;
  /** Events to try in a state: valid ones drive the traversal; invalid ones must be refused. */
  events: (snapshot: AnyMachineSnapshot) => EventObject[];
  /** Events that must be refused in this state (a guard or the state rejects them). */
  rejections: (snapshot: AnyMachineSnapshot) => EventObject[];
  /** A finite key for a snapshot (state value plus the parts of context that change behaviour). */
  serializeState: (snapshot: AnyMachineSnapshot) => string;
}

/** Coverage the generated paths reached. */
export interface ModelCoverage {
  pathCount: number;
  abstractStateCount: number;
  allStateNodes: string[];
  coveredStateNodes: Set<string>;
  allTransitions: string[];
  coveredTransitions: Set<string>;
  allGuards: string[];
  /** Guards seen evaluating to false for some generated (state, event). */
  rejectingGuards: Set<string>;
  /** Rejection samples replayed (each asserted to leave the snapshot unchanged). */
  rejectionsChecked: number;
  /** Problems found while replaying (a path that does not replay, a rejection that changed state). */
  problems: string[];
}

function guardName(t: AnyTransition): string | null {
  const g = t.guard as unknown;
  if (g === undefined || g === null) return null;
  if (typeof g === 'string') return g;
  if (typeof g === 'object' && 'type' in g && typeof g.type === 'string') return g.type;
  return 'inline';
}

function allNodes(machine: AnyStateMachine): AnyNode[] {
  const out: AnyNode[] = [];
  const walk = (node: AnyNode): void => {
    out.push(node);
    for (const child of Object.values<AnyNode>(node.states)) walk(child);
  };
  walk(machine.root);
  return out;
}

/** A stable name for one transition definition: `source --EVENT#index--> targets`. */
export function transitionKey(t: AnyTransition): string {
  const candidates = t.source.transitions.get(String(t.eventType)) ?? [];
  const index = candidates.indexOf(t);
  const targets = t.target ? t.target.map((n: AnyNode) => n.id).join(',') : '(self)';
  return `${t.source.id} --${String(t.eventType)}#${index}--> ${targets}`;
}

/** Every event transition defined in the machine. */
export function allTransitionKeys(machine: AnyStateMachine): string[] {
  return allNodes(machine).flatMap((node) => [...node.transitions.values()].flat().map((t) => transitionKey(t)));
}

/** Candidate transitions for an event in XState's selection order: from each atomic state up to the root. */
function candidatesFor(snapshot: AnyMachineSnapshot, type: string): AnyTransition[] {
  const atomic = (snapshot._nodes).filter((n) => n.type === 'atomic' || n.type === 'final');
  const out: AnyTransition[] = [];
  for (const leaf of atomic) {
    for (let node: AnyNode | undefined = leaf; node; node = node.parent) out.push(...(node.transitions.get(type) ?? []));
  }
  return out;
}

/** Explores the model and returns what it covered. */
export function exploreModel(spec: ModelSpec): ModelCoverage {
  const { machine } = spec;
  const coverage: ModelCoverage = {
    pathCount: 0,
    abstractStateCount: 0,
    allStateNodes: allNodes(machine).map((n) => n.id),
    coveredStateNodes: new Set(),
    allTransitions: allTransitionKeys(machine),
    coveredTransitions: new Set(),
    allGuards: Object.keys((machine.implementations.guards ?? {}) as object),
    rejectingGuards: new Set(),
    rejectionsChecked: 0,
    problems: [],
  };

  const paths = getShortestPaths(machine, {
    input: spec.input,
    events: (s: AnyMachineSnapshot) => spec.events(s),
    serializeState: (s: AnyMachineSnapshot) => spec.serializeState(s),
  });
  coverage.pathCount = paths.length;
  coverage.abstractStateCount = new Set(paths.map((p) => spec.serializeState(p.state))).size;

  const visit = (snapshot: AnyMachineSnapshot, event: EventObject): AnyMachineSnapshot => {
    const selected = machine.getTransitionData(snapshot, event)[0];
    for (const candidate of candidatesFor(snapshot, event.type)) {
      if (candidate === selected) break;
      const name = guardName(candidate);
      if (name) coverage.rejectingGuards.add(name);
    }
    const [next] = transition(machine, snapshot, event);
    if (selected) coverage.coveredTransitions.add(transitionKey(selected));
    for (const node of next._nodes) coverage.coveredStateNodes.add(node.id);
    return next;
  };

  for (const path of paths) {
    // Replay the generated path with the pure API the engine uses.
    let [snapshot] = initialTransition(machine, spec.input);
    for (const node of snapshot._nodes) coverage.coveredStateNodes.add(node.id);
    for (const step of path.steps as Array<{ event: EventObject }>) {
      if (step.event.type === 'xstate.init') continue;
      snapshot = visit(snapshot, step.event);
    }
    if (spec.serializeState(snapshot) !== spec.serializeState(path.state)) {
      coverage.problems.push(`path to ${spec.serializeState(path.state)} replays to ${spec.serializeState(snapshot)}`);
    }
    // Extend the path by every sample event, so transitions that keep the abstract state count too.
    for (const event of spec.events(snapshot)) visit(snapshot, event);
    for (const event of spec.rejections(snapshot)) {
      const [next, actions] = transition(machine, snapshot, event);
      visit(snapshot, event);
      coverage.rejectionsChecked += 1;
      if (next !== snapshot || actions.length > 0) {
        coverage.problems.push(`${event.type} should be refused in ${JSON.stringify(snapshot.value)} but changed the snapshot`);
      }
    }
  }
  return coverage;
}
