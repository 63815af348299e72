/** The Treatment Outcomes Profile (TOP): counts over the last 28 days, ratings 0–20. */
import { z } from 'zod';
import { TOP_KINDS } from '../../machines/top-record.ts';
import { factDateSchema } from './common.ts';

const days = z.int().min(0, 'days must be 0–28').max(28, 'days must be 0–28');
const rating = z.int().min(0, 'ratings are 0–20').max(20, 'ratings are 0–20');

/** One TOP record, as the `pathway` statechart stores it. */
export const topSchema = z.strictObject({
  kind: z.enum(TOP_KINDS),
  recordedOn: factDateSchema,
  substanceDays: z.strictObject({
    alcohol: days,
    opiates: days,
    crack: days,
    cocaine: days,
    amphetamines: days,
    cannabis: days,
    other: days,
    tobacco: days,
  }),
  injectingDays: days,
  sharedEquipment: z.boolean(),
  shopliftingDays: days,
  sellingDrugsDays: days,
  otherTheftDays: days,
  assaultOrViolence: z.boolean(),
  psychologicalHealth: rating,
  physicalHealth: rating,
  qualityOfLife: rating,
  paidWorkDays: days,
  educationDays: days,
  acuteHousingProblem: z.boolean(),
  atRiskOfEviction: z.boolean(),
});
