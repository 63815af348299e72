/**
 * Which deadlines an open journey is past, from its statechart snapshot: the 21-day wait
 * for a first intervention, a 6-monthly review, continuity of care after release, a
 * recovery check-up. Each is set by an event of the journey (the timers deliver them), so a
 * journey's answer changes only when it moves: the engine keeps it beside the row
 * (`cases.overdue`) for the journey list's overdue filter, and the API shows the parts.
 */

type Obj = Record<string, unknown>;

/** The deadlines a journey is past; all false once it is closed. */
export interface Overdue {
  waitingTime: boolean;
  review: boolean;
  continuityOfCare: boolean;
  checkup: boolean;
  any: boolean;
}

/** The overdue flags of a journey's context and state value. */
export function overdueOf(context: Obj, stateValue: unknown, closed: boolean): Overdue {
  if (closed) return { waitingTime: false, review: false, continuityOfCare: false, checkup: false, any: false };
  const waitingTime = context.waitingTimeBreached === true && context.treatmentStartedOn == null;
  const review = JSON.stringify(stateValue).includes('reviewDue');
  const continuity = context.continuity as Obj | null | undefined;
  const continuityOfCare = !!continuity && continuity.breached === true && continuity.engagedOn == null;
  const checkups = Array.isArray(context.checkups) ? (context.checkups as Obj[]) : [];
  const checkup = checkups.some((c) => c.due === true && c.completedOn == null);
  return { waitingTime, review, continuityOfCare, checkup, any: waitingTime || review || continuityOfCare || checkup };
}

/** 1 when the journey is past any deadline, else 0 (the `cases.overdue` column). */
export function overdueFlag(snapshot: { value: unknown; context: Obj }, closed: boolean): 0 | 1 {
  return overdueOf(snapshot.context, snapshot.value, closed).any ? 1 : 0;
}
