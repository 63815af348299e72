/**
 * The web app's forms offer only the values a journey accepts now: the shared event schema
 * narrowed by `eventOptions` (web/src/forms/accepted-values.ts), without a browser.
 */
import { describe, expect, it } from 'vitest';
import { CASE_EVENT_SCHEMAS } from '../../api/schemas/case-events.ts';
import { narrowToAccepted } from '../../web/src/forms/accepted-values.ts';
import { jsonSchemaOf } from '../../web/src/forms/json-schema.ts';

const schemaOf = (type: string) => {
  const s = CASE_EVENT_SCHEMAS.find((x) => x.shape.type.value === type);
  if (!s) throw new Error(type);
  return s;
};

describe('narrowToAccepted', () => {
  it('limits a coded field to the accepted values, for the select and for the check before sending', () => {
    const narrowed = narrowToAccepted(schemaOf('DISCHARGED'), { reason: ['dropped_out', 'moved_away'] });
    expect(jsonSchemaOf(narrowed).properties?.reason?.enum).toEqual(['dropped_out', 'moved_away']);
    const body = { type: 'DISCHARGED', expectedVersion: 1, dischargedOn: '2026-03-02' };
    expect(narrowed.safeParse({ ...body, reason: 'moved_away' }).success).toBe(true);
    expect(narrowed.safeParse({ ...body, reason: 'completed_drug_free' }).success).toBe(false);
    expect(schemaOf('DISCHARGED').safeParse({ ...body, reason: 'completed_drug_free' }).success).toBe(true);
  });

  it('keeps an optional field optional, and leaves the schema alone without options', () => {
    const narrowed = narrowToAccepted(schemaOf('SCREENING_COMPLETED'), { outcome: ['assess'], dischargeReason: ['dropped_out'] });
    expect(narrowed.safeParse({ type: 'SCREENING_COMPLETED', expectedVersion: 1, outcome: 'assess' }).success).toBe(true);
    expect(narrowed.safeParse({ type: 'SCREENING_COMPLETED', expectedVersion: 1, outcome: 'brief_advice' }).success).toBe(false);
    expect(narrowToAccepted(schemaOf('SCREENING_STARTED'), undefined)).toBe(schemaOf('SCREENING_STARTED'));
  });
});
