/**
 * How the app writes dates, ages and codes for people (British English). Calendar dates are
 * shown as stored; times are shown in London time, where the staff work.
 */

const DAY_MS = 86_400_000;

/** `2026-11-25` or an ISO time → `25 Nov 2026`. */
export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  const d = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(d.getTime())) return value;
  // A calendar date is the same everywhere; an instant's date is the London one.
  return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: value.length === 10 ? 'UTC' : 'Europe/London' });
}

/** An ISO time → `25 Nov 2026, 14:05`. */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return d.toLocaleString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'Europe/London',
  });
}

/** Whole days from `from` to `to` (default now). */
export function daysBetween(from: string | null | undefined, to: Date = new Date()): number | null {
  if (!from) return null;
  const d = new Date(from.length === 10 ? `${from}T00:00:00Z` : from);
  if (Number.isNaN(d.getTime())) return null;
  return Math.floor((to.getTime() - d.getTime()) / DAY_MS);
}

/** `3` → `3 days`, `1` → `1 day`. */
export function formatDays(days: number | null | undefined): string {
  if (days === null || days === undefined || Number.isNaN(days)) return '—';
  const n = Math.round(days * 10) / 10;
  return `${n} ${n === 1 ? 'day' : 'days'}`;
}

/** Today as `YYYY-MM-DD` (UTC), the default for date fields. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** `SCREENING_COMPLETED` → `Screening completed`; `inTreatment` → `In treatment`; `dropped_out` → `Dropped out`. */
export function humanise(code: string | null | undefined): string {
  if (!code) return '—';
  const words = code
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[_.-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A share 0..1 → `72%`. */
export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return `${Math.round(value * 1000) / 10}%`;
}
