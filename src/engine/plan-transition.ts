/**
 * The pure heart of the engine: given a stored snapshot and an event, what would change?
 * No database, no clock — the engine (and the cohort generator, which plans hundreds of
 * thousands of journeys in memory) turns a plan into rows.
 *
 * A plan says whether the event is accepted, the next snapshot in storable form, its state
 * value and stage, and which durable timers to add (each delayed `raise` becomes a timer
 * due at `event.at + delay`) or cancel (each `cancel`).
 */
import { getNextTransitions, type AnyMachineSnapshot, type AnyStateMachine, type EventObject, type StateValue } from 'xstate';
import { allowedNow, type AllowedNow, type EventOptions } from '../../machines/allowed-now.ts';
import { inertInitialTransition, inertTransition, type CollectedAction } from '../../machines/inert-transition.ts';
import type { StreamType } from '../db/schema.ts';
import { pathwaysRegistry, type MachineRegistry } from './machine-registry.ts';
import { persistSnapshot, restoreSnapshot, type StoredSnapshot } from './snapshot-codec.ts';

/** An event as delivered to a machine: its type, payload fields and effective time. */
export interface EngineEvent {
  type: string;
  /** ISO-8601 effective time of the fact; delays count from here. */
  at: string;
  [field: string]: unknown;
}

/** A durable timer a plan asks for. */
export interface PlannedTimer {
  /** The delayed raise's id; one pending timer per key and stream. */
  key: string;
  /** The event to deliver when it falls due (without `at`, which is the due time). */
  event: EventObject & Record<string, unknown>;
  /** ISO-8601 due time. */
  dueAt: string;
}

/** Why an event was refused. */
export type RefusalReason =
  /** No machine state has this event type at all. */
  | 'unknown_event'
  /** The event exists, but the current state has no transition for it. */
  | 'not_handled'
  /** The current state handles it, but every guard refused. */
  | 'guard_refused';

export interface TransitionPlan {
  accepted: boolean;
  /** The next snapshot (the current one when refused), ready to be stored as JSON. */
  snapshot: StoredSnapshot;
  stateValue: StateValue;
  /** The top-level stage of `stateValue`. */
  stage: string;
  /** True when the machine reached a final state. */
  done: boolean;
  timersToAdd: PlannedTimer[];
  /** Keys of timers to cancel; cancels apply before the adds of the same plan. */
  timersToCancel: string[];
  /**
   * Event types the resulting state would accept with some payload, guards evaluated
   * (timer-only events left out). Computed on first read.
   */
  readonly allowedEvents: string[];
  /** For events that depend on a field, the values accepted now (machines/allowed-now.ts). Computed on first read. */
  readonly eventOptions: EventOptions;
  /** Set when refused. */
  refusal?: RefusalReason;
  /** For `guard_refused`: the names of the guards (domain rules) that said no. */
  refusedBy?: string[];
}

class Plan implements TransitionPlan {
  timersToAdd: PlannedTimer[] = [];
  timersToCancel: string[] = [];
  refusal?: RefusalReason;
  refusedBy?: string[];
  private choices: AllowedNow | undefined;

  constructor(
    readonly accepted: boolean,
    readonly snapshot: StoredSnapshot,
    private readonly live: AnyMachineSnapshot,
    readonly stage: string,
    private readonly registry: MachineRegistry,
    /** The effective time of the planned event; probes of what is allowed next carry it. */
    private readonly at: string,
  ) {}

  get stateValue(): StateValue {
    return this.snapshot.value;
  }

  get done(): boolean {
    return this.snapshot.status === 'done';
  }

  get allowedEvents(): string[] {
    this.choices ??= allowedNowOf(this.registry, this.live, this.at);
    return this.choices.allowedEvents;
  }

  get eventOptions(): EventOptions {
    this.choices ??= allowedNowOf(this.registry, this.live, this.at);
    return this.choices.eventOptions;
  }
}

/**
 * What a live snapshot accepts now from a user (timer-only events left out), guards
 * evaluated: the list the API shows as `allowedEvents` and `eventOptions`.
 * @param at - ISO time probes carry (now, or the effective time of the event just planned)
 */
export function allowedNowOf(registry: MachineRegistry, snapshot: AnyMachineSnapshot, at: string): AllowedNow {
  if (snapshot.status !== 'active') return { allowedEvents: [], eventOptions: {} };
  const timers = registry.timerEventTypes;
  const choices = allowedNow(snapshot, at);
  return { allowedEvents: choices.allowedEvents.filter((t) => !timers.has(t)), eventOptions: choices.eventOptions };
}

interface RaiseParams {
  event: EventObject & Record<string, unknown>;
  id?: string;
  delay?: number;
}

function addTimerActions(plan: Plan, actions: CollectedAction[], at: string): void {
  let base: number | undefined;
  for (const action of actions) {
    if (action.type === 'xstate.raise') {
      const params = action.params as RaiseParams;
      // An undelayed raise is handled inside the macrostep; only delayed ones are timers.
      if (typeof params.delay !== 'number') continue;
      base ??= Date.parse(at);
      if (Number.isNaN(base)) throw new TypeError(`event.at "${at}" is not an ISO-8601 time`);
      const key = params.id ?? params.event.type;
      // A later raise with the same key replaces an earlier one in this plan.
      plan.timersToAdd = plan.timersToAdd.filter((t) => t.key !== key);
      plan.timersToAdd.push({ key, event: params.event, dueAt: new Date(base + params.delay).toISOString() });
    } else if (action.type === 'xstate.cancel') {
      const key = (action.params as { sendId: string }).sendId;
      const before = plan.timersToAdd.length;
      plan.timersToAdd = plan.timersToAdd.filter((t) => t.key !== key);
      // Cancelling a timer raised earlier in this same plan means it never reaches the store.
      if (plan.timersToAdd.length === before && !plan.timersToCancel.includes(key)) plan.timersToCancel.push(key);
    }
  }
}

/**
 * Plans the first snapshot of a new stream.
 * @param input - the machine input (`PathwayInput`, `ReferralInput`)
 * @param at - ISO effective time the stream starts; initial timers count from here
 */
export function planInitial(
  stream: StreamType,
  version: number,
  input: Record<string, unknown>,
  at: string,
  registry: MachineRegistry = pathwaysRegistry,
): TransitionPlan {
  const machine = registry.getMachine(stream, version);
  const [next, actions] = inertInitialTransition(machine, input);
  if (next.status === 'error') throw next.error instanceof Error ? next.error : new Error(String(next.error));
  const plan = new Plan(true, persistSnapshot(next), next, registry.stageOf(stream, next.value), registry, at);
  addTimerActions(plan, actions, at);
  return plan;
}

/**
 * Plans delivering `event` to a stored snapshot. Refusals are results, not throws: the
 * plan says why (`refusal`, `refusedBy`) and what the state accepts instead.
 */
export function planTransition(
  stream: StreamType,
  version: number,
  stored: string | StoredSnapshot,
  event: EngineEvent,
  registry: MachineRegistry = pathwaysRegistry,
): TransitionPlan {
  const machine = registry.getMachine(stream, version);
  const current = restoreSnapshot(machine, stored);
  // A finished stream accepts nothing: XState would still take a root-level transition in a
  // final state (the journey's keyworker's-day events), which the contract rules out.
  const [next, actions] = current.status === 'active' ? inertTransition(machine, current, event) : [current, []];
  if (next.status === 'error') throw next.error instanceof Error ? next.error : new Error(String(next.error));
  // xstate hands back the very same snapshot when no transition was enabled.
  if (next === current) {
    const storedObject = typeof stored === 'string' ? persistSnapshot(current, false) : stored;
    const plan = new Plan(false, storedObject, current, registry.stageOf(stream, current.value), registry, event.at);
    diagnose(plan, machine, current, event.type);
    return plan;
  }
  // A caller planning from a stored object chains plans: keep the live snapshot for its next one.
  const plan = new Plan(true, persistSnapshot(next, typeof stored !== 'string'), next, registry.stageOf(stream, next.value), registry, event.at);
  addTimerActions(plan, actions, event.at);
  return plan;
}

function diagnose(plan: Plan, machine: AnyStateMachine, snapshot: AnyMachineSnapshot, type: string): void {
  if (!allEventTypes(machine).has(type)) {
    plan.refusal = 'unknown_event';
    return;
  }
  if (snapshot.status !== 'active') {
    plan.refusal = 'not_handled';
    return;
  }
  const candidates = getNextTransitions(snapshot).filter((t) => t.eventType === type || t.eventType === '*');
  if (candidates.length === 0) {
    plan.refusal = 'not_handled';
    return;
  }
  plan.refusal = 'guard_refused';
  const names = new Set<string>();
  for (const t of candidates) if (t.guard !== undefined) names.add(guardName(t.guard));
  plan.refusedBy = [...names];
}

function guardName(guard: unknown): string {
  if (typeof guard === 'string') return guard;
  if (guard && typeof guard === 'object' && 'type' in guard) return String((guard).type);
  if (typeof guard === 'function') {
    const g = guard as { type?: string; guards?: unknown[]; name?: string };
    if (g.guards && g.type) {
      const op = g.type.replace(/^xstate\./, '');
      return `${op}(${g.guards.map(guardName).join(', ')})`;
    }
    return g.name || 'inline guard';
  }
  return 'guard';
}

const eventTypes = new WeakMap<AnyStateMachine, Set<string>>();

/** Every event type some state of the machine has a transition for. */
export function allEventTypes(machine: AnyStateMachine): Set<string> {
  let types = eventTypes.get(machine);
  if (!types) {
    types = new Set(machine.events as string[]);
    eventTypes.set(machine, types);
  }
  return types;
}
