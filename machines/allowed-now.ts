/**
 * What a stream accepts now, asked of the statechart itself with its guards: the event
 * types that some payload would get through (`allowedEvents`), and for events whose
 * acceptance depends on a field, the values accepted now (`eventOptions`). An event that
 * would be refused whatever its fields is not listed — a new journey does not offer
 * COMMUNITY_ENGAGED, a journey not in treatment offers no successful discharge reason.
 *
 * Payloads come from machines/event-probes.ts; each is tried with `snapshot.can()`, which
 * evaluates guards without running actions.
 */
import type { AnyMachineSnapshot } from 'xstate';
import { EVENT_PROBES } from './event-probes.ts';
import { acceptedEventTypes } from './index.ts';

/** Per event type, per field, the values accepted now (only for events that depend on a field). */
export type EventOptions = Record<string, Record<string, string[]>>;

/** The events a stream accepts now and the field values they accept. */
export interface AllowedNow {
  /** Event types some payload would be accepted with now, sorted. */
  allowedEvents: string[];
  eventOptions: EventOptions;
}

/**
 * What `snapshot` accepts now. `at` is the effective time probes carry (dates in probes
 * are its calendar date). Event types the machine handles but has no probes for (timer
 * events, or a machine without probes) are listed when the state handles them, guards
 * unasked; callers filter timer events out.
 */
export function allowedNow(snapshot: AnyMachineSnapshot, at: string): AllowedNow {
  const handled = acceptedEventTypes(snapshot);
  const probes = EVENT_PROBES[snapshot.machine.id];
  const allowedEvents: string[] = [];
  const eventOptions: EventOptions = {};
  const date = at.slice(0, 10);
  for (const type of handled) {
    const build = probes?.[type];
    if (!build) {
      allowedEvents.push(type);
      continue;
    }
    let accepted = false;
    let options: Record<string, string[]> | undefined;
    for (const probe of build(snapshot.context as Record<string, unknown>, date)) {
      const option = probe.option;
      // A value already accepted needs no second try (a discharge reason with and without an exit TOP).
      if (option && options?.[option.field]?.includes(option.value)) continue;
      if (!option && accepted) continue;
      if (!snapshot.can({ ...probe.fields, type, at })) continue;
      accepted = true;
      if (option) {
        options ??= {};
        (options[option.field] ??= []).push(option.value);
      }
    }
    if (!accepted) continue;
    allowedEvents.push(type);
    if (options) eventOptions[type] = options;
  }
  return { allowedEvents, eventOptions };
}
