/**
 * The service's day. Staff work in Europe/London, so "today's appointments" run from local
 * midnight to local midnight, which is 23:00 or 00:00 UTC depending on summer time.
 */

const LONDON = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** London's offset from UTC at an instant, in minutes (0 or 60). */
function londonOffsetMinutes(at: Date): number {
  const parts = Object.fromEntries(LONDON.formatToParts(at).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute));
  return Math.round((asUtc - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000);
}

/** The London calendar date of an instant, `YYYY-MM-DD`. */
export function londonDate(at: Date): string {
  return new Date(at.getTime() + londonOffsetMinutes(at) * 60_000).toISOString().slice(0, 10);
}

/** The UTC instants at which a London calendar day starts and ends. */
export function londonDayBounds(date: string): { start: string; end: string } {
  const startOf = (d: string) => {
    const midnightUtc = new Date(`${d}T00:00:00.000Z`);
    // The offset at local midnight is the offset at UTC midnight on every day but the two
    // clock-change Sundays, where the change happens at 01:00 UTC, after local midnight.
    return new Date(midnightUtc.getTime() - londonOffsetMinutes(midnightUtc) * 60_000).toISOString();
  };
  const next = new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return { start: startOf(date), end: startOf(next) };
}
