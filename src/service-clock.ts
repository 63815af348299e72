/**
 * The settable clock for training and acceptance environments (`PATHWAYS_CLOCK`): a fixed
 * instant, or an offset from the real time, that becomes the server's "now" for timers,
 * flags, effective times and measures. Off by default; the command line refuses it in
 * production and says loudly when it is on.
 */
import { PathwaysError } from './errors.ts';

/** A parsed `PATHWAYS_CLOCK`: the instant "now" stays at, or how far it is moved from the real time. */
export type ClockSetting = { kind: 'fixed'; at: Date; text: string } | { kind: 'offset'; ms: number; text: string };

const OFFSET = /^([+-])(\d{1,6})(d|h|m)$/;
const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000 } as const;
const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/**
 * Parses a clock setting: an ISO-8601 instant with a zone (`2026-03-29T00:30:00Z`) or a
 * date (its midnight, UTC) for a fixed "now"; or an offset from the real time, `+30d`,
 * `-12h`, `+90m`.
 * @throws PathwaysError `validation_failed` saying what the setting takes.
 */
export function parseClockSetting(text: string): ClockSetting {
  const value = text.trim();
  const offset = OFFSET.exec(value);
  if (offset) {
    const [, sign, amount, unit] = offset as unknown as [string, '+' | '-', string, keyof typeof UNIT_MS];
    return { kind: 'offset', ms: (sign === '-' ? -1 : 1) * Number(amount) * UNIT_MS[unit], text: value };
  }
  if (INSTANT.test(value)) {
    const at = new Date(value.length === 10 ? `${value}T00:00:00.000Z` : value);
    if (!Number.isNaN(at.getTime())) return { kind: 'fixed', at, text: value };
  }
  throw new PathwaysError(
    'validation_failed',
    `PATHWAYS_CLOCK "${value}" is neither an instant (2026-03-29T00:30:00Z, or a date) nor an offset (+30d, -12h, +90m).`,
    { issues: [{ path: 'PATHWAYS_CLOCK', message: 'must be an ISO-8601 instant with a zone, a date, or an offset such as +30d' }] },
  );
}

/** The clock a setting gives: a fixed instant, or the real time moved by the offset; the real clock without one. */
export function clockFrom(setting: ClockSetting | null, real: () => Date = () => new Date()): () => Date {
  if (setting === null) return real;
  if (setting.kind === 'fixed') {
    const ms = setting.at.getTime();
    return () => new Date(ms);
  }
  const offset = setting.ms;
  return () => new Date(real().getTime() + offset);
}

/** One line saying what the clock is doing, for the start-up banner and `/readyz`. */
export function describeClock(setting: ClockSetting): string {
  return setting.kind === 'fixed'
    ? `PATHWAYS_CLOCK=${setting.text}: the server's "now" is fixed at ${setting.at.toISOString()}`
    : `PATHWAYS_CLOCK=${setting.text}: the server's "now" is the real time moved by ${setting.text}`;
}
