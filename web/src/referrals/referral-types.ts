/** A referral as the API returns it (type from the API's own schema). */
import type { z } from 'zod';
import type { referralSchema } from '../../../api/schemas/referral.ts';
import type { consentSchema } from '../../../api/schemas/consent.ts';

export type ReferralView = z.infer<typeof referralSchema>;
export type ConsentView = z.infer<typeof consentSchema>;

/** An agency as `GET /api/v1/agencies` lists it. */
export interface AgencyView {
  id: string;
  name: string;
  kind: string;
  area: string;
}
