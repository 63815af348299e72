/** The service's settings staff may read: today, the follow-up rules for a did-not-attend. */
import { z } from 'zod';

/** `GET /api/v1/settings`. */
export const settingsSchema = z.object({
  followUp: z.object({
    followUpWorkingDays: z.number().int().describe('working days (Monday to Friday) within which a did-not-attend is followed up'),
    reviewAfterMissed: z.number().int().describe('missed appointments within `missedWindowDays` that call for a case review'),
    missedWindowDays: z.number().int().describe('the days over which missed appointments are counted for a case review'),
  }),
});
