/** A journey and its timeline as the API returns them (types from the API's own schemas). */
import type { z } from 'zod';
import type { caseSchema, timelineEntrySchema } from '../../../api/schemas/case.ts';

export type CaseView = z.infer<typeof caseSchema>;
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;
export type InterventionView = NonNullable<CaseView['interventions']>[number];
