/**
 * Ids for seeded rows. They are UUID-shaped (version 8, "custom", so they pass the API's
 * UUID checks) and rise with the journey number within one seed: inserts then append to
 * the primary-key and event-stream indexes instead of scattering across them, which keeps
 * a national-scale seed fast. The first eight digits name the seed and the kind of row,
 * so cohorts of different seeds never collide and a re-run of the same seed is detectable.
 */
import { mixSeed } from '../prng.ts';

/** Kinds of seeded row, each with its own id range. */
export type IdKind = 'person' | 'case' | 'referral' | 'consent' | 'timer' | 'audit';

const KIND_CODE: Record<IdKind, number> = { person: 1, case: 2, referral: 3, consent: 4, timer: 5, audit: 6 };

const hex = (n: number, width: number): string => (n >>> 0).toString(16).padStart(width, '0').slice(-width);

/** Makes ids for one seed. */
export function idMaker(seed: number): (kind: IdKind, index: number, sub?: number) => string {
  const prefixes = new Map<IdKind, string>();
  for (const kind of Object.keys(KIND_CODE) as IdKind[]) prefixes.set(kind, hex(mixSeed(seed, KIND_CODE[kind]), 8));
  /**
   * @param index - the journey (person) number, up to 2^40
   * @param sub - a running number within that person (second journey, each referral, …)
   */
  return (kind, index, sub = 0) => {
    const high = Math.floor(index / 2 ** 28);
    const low = index % 2 ** 28;
    return `${prefixes.get(kind)}-${hex(low >>> 12, 4)}-8${hex(low & 0xfff, 3)}-${hex(0x8000 | (high & 0x3fff), 4)}-${hex(Math.floor(sub / 2 ** 24), 4)}${hex(sub % 2 ** 24, 8)}`;
  };
}
