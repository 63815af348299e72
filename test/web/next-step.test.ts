/** The case page's next step and action groups (web/src/keyworker/next-step.ts). */
import { describe, expect, it } from 'vitest';
import { groupedActions, nextStep } from '../../web/src/keyworker/next-step.ts';

describe('the next step on a journey', () => {
  it('is the first step of the main path the journey allows now', () => {
    expect(nextStep(['CUSTODY_STARTED', 'DISCHARGED', 'KEYWORKER_ASSIGNED', 'SCREENING_STARTED'], 'referred')).toBe('SCREENING_STARTED');
    expect(nextStep(['INTERVENTION_ENDED', 'INTERVENTION_STARTED', 'TOP_RECORDED'], 'inTreatment.active')).toBe('INTERVENTION_STARTED');
  });

  it('is the review when one is due, even with other treatment steps open', () => {
    expect(nextStep(['INTERVENTION_STARTED', 'REVIEW_COMPLETED', 'DISCHARGED'], 'inTreatment.reviewDue')).toBe('REVIEW_COMPLETED');
  });

  it('is none when only side steps are allowed, and groups the rest without the next step', () => {
    expect(nextStep(['DISCHARGED', 'KEYWORKER_ASSIGNED'], 'inCustody')).toBeNull();
    expect(groupedActions(['SCREENING_STARTED', 'DISCHARGED', 'CUSTODY_STARTED', 'KEYWORKER_ASSIGNED', 'SOMETHING_NEW'], 'SCREENING_STARTED')).toEqual([
      { label: 'Leaving and coming back', types: ['DISCHARGED'] },
      { label: 'Custody', types: ['CUSTODY_STARTED'] },
      { label: 'Keyworker', types: ['KEYWORKER_ASSIGNED'] },
      { label: 'Other', types: ['SOMETHING_NEW'] },
    ]);
  });
});
