/**
 * Breakdown groups in words: age bands as ranges ("18 to 24", "65 and over"), codes as
 * words, the undivided total as "Everyone".
 */
import { humanise } from '../lib/format.ts';

/** The words for a breakdown group's value. */
export function groupLabel(value: string): string {
  if (value === 'all') return 'Everyone';
  if (value === 'under_18') return 'Under 18';
  const range = /^(\d+)-(\d+)$/.exec(value);
  if (range) return `${range[1]} to ${range[2]}`;
  const over = /^(\d+)\+$/.exec(value);
  if (over) return `${over[1]} and over`;
  // Postcode districts stay as written.
  if (/^[A-Z]{1,2}\d[A-Z\d]?$/.test(value)) return value;
  return humanise(value);
}
