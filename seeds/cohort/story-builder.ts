/**
 * A story is one stream's history before it is dated: user events at times counted in
 * days from midnight of the day the stream opened, and the stages those events (and the
 * timers they start) lead through. Dating comes last, when the generator picks how long
 * ago the story began so that the reference date falls in the stage it wants.
 */
import type { Random } from '../prng.ts';

/** An event as a story holds it: type and payload, without the effective time. */
export type StoryEvent = { type: string } & Record<string, unknown>;

/**
 * One user event, `t` days after midnight of the opening day. `make` builds the event once
 * the story is dated (`on` is the step's `YYYY-MM-DD`), because payload dates and TOP
 * records carry calendar dates. `actor` is a user id, or `keyworker` for whoever holds the
 * journey at that moment.
 */
export interface StoryStep {
  t: number;
  make: (on: string) => StoryEvent;
  actor: string;
}

/** A stretch of time spent in one stage: [from, to) in story days; `to` is Infinity when it never ends. */
export interface StageSegment {
  stage: string;
  from: number;
  to: number;
}

// Staff record events in working hours: 08:30 to 17:30.
const WORKDAY_START = 8.5 / 24;
const WORKDAY_LENGTH = 9 / 24;

/** Builds a story in time order and keeps track of the stage segments. */
export class StoryBuilder {
  readonly steps: StoryStep[] = [];
  readonly segments: StageSegment[] = [];
  /** The time of the last step. */
  t: number;
  stage: string;
  private stageFrom: number;

  constructor(
    private readonly random: Random,
    initialStage: string,
    /** Time the stream opened (its first event). */
    readonly openedAt: number,
  ) {
    this.t = openedAt;
    this.stage = initialStage;
    this.stageFrom = openedAt;
  }

  /**
   * A working-hours time `days` whole days after the last step (0 = later the same day),
   * always strictly after the last step.
   */
  later(days: number): number {
    const day = Math.floor(this.t) + Math.max(0, Math.round(days));
    const at = day + WORKDAY_START + this.random.next() * WORKDAY_LENGTH;
    // Same day and the drawn time is not later: a few minutes after the last step.
    return at > this.t ? at : this.t + (2 + this.random.next() * 25) / 1440;
  }

  /** Adds a user event at time `t` (not before the last step); `stage` is where it leads. */
  step(t: number, make: StoryEvent | StoryStep['make'], stage: string = this.stage, actor = 'keyworker'): number {
    const at = Math.max(t, this.t);
    this.steps.push({ t: at, make: typeof make === 'function' ? make : () => make, actor });
    this.t = at;
    this.enter(stage, at);
    return at;
  }

  /** Records a stage change a timer causes at `t` (the engine fires the timer itself). */
  mark(t: number, stage: string): void {
    this.enter(stage, t);
  }

  /** Closes the last segment; call once the story is complete. */
  finish(): StageSegment[] {
    this.segments.push({ stage: this.stage, from: this.stageFrom, to: Infinity });
    return this.segments;
  }

  private enter(stage: string, at: number): void {
    if (stage === this.stage) return;
    this.segments.push({ stage: this.stage, from: this.stageFrom, to: at });
    this.stage = stage;
    this.stageFrom = at;
  }
}

/**
 * Picks how many whole days before the reference midnight the story opened, so that the
 * reference falls inside one of the segments of `stage` (a segment [a, b) holds at
 * midnight K when a ≤ K < b). Segments are weighted by how many midnights they hold;
 * `horizon` caps the age. Returns null when no segment of that stage spans a midnight.
 */
export function pickAge(random: Random, segments: readonly StageSegment[], stage: string, horizon: number): number | null {
  const choices: Array<[number, number]> = [];
  let total = 0;
  for (const s of segments) {
    if (s.stage !== stage) continue;
    const first = Math.floor(s.from) + 1;
    let last = Number.isFinite(s.to) ? Math.ceil(s.to) - 1 : Infinity;
    if (last > horizon) last = Math.max(first, horizon);
    if (last < first) continue;
    choices.push([first, last]);
    total += last - first + 1;
  }
  if (choices.length === 0) return null;
  let roll = Math.floor(random.next() * total);
  for (const [first, last] of choices) {
    const n = last - first + 1;
    if (roll < n) return first + roll;
    roll -= n;
  }
  const lastChoice = choices[choices.length - 1] as [number, number];
  return lastChoice[1];
}
