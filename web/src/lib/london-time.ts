/**
 * Staff work in Europe/London: times they type and read are London times, whatever the
 * browser's own zone. The API stores UTC instants.
 */

const PARTS = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

function londonParts(at: Date): { date: string; time: string; offsetMinutes: number } {
  const p = Object.fromEntries(PARTS.formatToParts(at).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}`, offsetMinutes: Math.round((asUtc - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000) };
}

/** Today's date in London, `YYYY-MM-DD`. */
export function londonToday(now: Date = new Date()): string {
  return londonParts(now).date;
}

/** The London date and time of an instant (`2026-03-06`, `14:00`). */
export function londonDateTime(iso: string): { date: string; time: string } {
  const { date, time } = londonParts(new Date(iso));
  return { date, time };
}

/** A London date and time (`2026-03-06`, `14:00`) as a UTC instant, or null when either is not valid. */
export function londonInstant(date: string, time: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^\d{2}:\d{2}$/.test(time)) return null;
  const guess = new Date(`${date}T${time}:00Z`);
  if (Number.isNaN(guess.getTime())) return null;
  // London is UTC or UTC+1: take the offset at the guess, then check it at the answer.
  let at = new Date(guess.getTime() - londonParts(guess).offsetMinutes * 60_000);
  at = new Date(guess.getTime() - londonParts(at).offsetMinutes * 60_000);
  return at.toISOString().replace('.000Z', 'Z');
}
