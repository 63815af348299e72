/**
 * Builders for machine tests: a fixed effective time, TOP records and events that carry
 * `at` as the engine would deliver them.
 */
import type { TopKind, TopRecord } from '../../machines/top-record.ts';

/** The effective time every built event carries unless a test gives another. */
export const AT = '2026-03-02T10:00:00.000Z';

/** The date part of AT. */
export const AT_DATE = '2026-03-02';

/** A well-formed TOP of the given kind. */
export function buildTop(kind: TopKind, recordedOn: string = AT_DATE, overrides: Partial<TopRecord> = {}): TopRecord {
  return {
    kind,
    recordedOn,
    substanceDays: { alcohol: 4, opiates: 0, crack: 0, cocaine: 1, amphetamines: 0, cannabis: 2, other: 0, tobacco: 28 },
    injectingDays: 0,
    sharedEquipment: false,
    shopliftingDays: 0,
    sellingDrugsDays: 0,
    otherTheftDays: 0,
    assaultOrViolence: false,
    psychologicalHealth: 12,
    physicalHealth: 14,
    qualityOfLife: 13,
    paidWorkDays: 10,
    educationDays: 0,
    acuteHousingProblem: false,
    atRiskOfEviction: false,
    ...overrides,
  };
}

/** Adds `at` to an event. */
export function ev<T extends { type: string }>(event: T, at: string = AT): T & { at: string } {
  return { ...event, at };
}
