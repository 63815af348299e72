/**
 * Schemas of the measures routes: the shared query filters and one response schema per
 * route. Each figure's schema carries its definition as its description, so the OpenAPI
 * document states what every number means, word for word as the responses do.
 */
import { z } from 'zod';
import { DIMENSIONS } from '../../machines/measure-dimensions.ts';
import { FIGURE_DEFINITIONS, type FigureName } from '../../src/metrics/definitions.ts';
import { dateSchema, dateTimeSchema, idSchema } from './common.ts';

/** Filters every measures route takes. */
export const metricsQuerySchema = z.strictObject({
  area: z.string().trim().min(1).max(120).optional().describe("The area to read; managers may read their own area only (the default)"),
  agencyId: idSchema.optional().describe('Narrow to one agency of the area'),
  breakdown: z.enum(DIMENSIONS).default('all').describe('Break each figure down by this dimension (`all`: no breakdown)'),
  from: dateSchema.optional().describe('Period start (inclusive); default 364 days before `to` (28 days for flow)'),
  to: dateSchema.optional().describe('Period end (inclusive); default the as-of date'),
  asOf: dateTimeSchema.optional().describe('Ages and deadlines are measured to this time; default now'),
});

/** Flow also takes its bucket size. */
export const flowQuerySchema = metricsQuerySchema.extend({
  granularity: z.enum(['day', 'week']).default('day').describe('Count moves per day or per ISO week (Monday start)'),
});

const definition = (name: FigureName) => z.string().describe(`Always: "${FIGURE_DEFINITIONS[name]}"`);
const figure = <T extends z.ZodRawShape>(name: FigureName, shape: T) =>
  z.object({ definition: definition(name), ...shape }).describe(FIGURE_DEFINITIONS[name]);

const days = {
  count: z.number().int(),
  medianDays: z.number().int().nullable(),
  p90Days: z.number().int().nullable(),
  maxDays: z.number().int().nullable(),
};

const context = {
  area: z.string(),
  agencyIds: z.array(z.string()),
  breakdown: z.enum(DIMENSIONS),
  asOf: z.string().describe('The as-of time (ISO-8601)'),
  period: z.object({ from: z.string(), to: z.string() }).describe('The period (inclusive dates)'),
};

export const wipResponse = z.object({
  ...context,
  workInProgress: figure('workInProgress', {
    total: z.number().int(),
    rows: z.array(z.object({ stage: z.string(), group: z.string(), count: z.number().int() })),
    byAgency: z.array(z.object({ agencyId: z.string(), stage: z.string(), count: z.number().int() })),
  }),
});

export const timeInStageResponse = z.object({
  ...context,
  timeInStage: figure('timeInStage', { rows: z.array(z.object({ stage: z.string(), group: z.string(), ...days })) }),
});

export const flowResponse = z.object({
  ...context,
  flow: figure('flow', {
    granularity: z.enum(['day', 'week']),
    rows: z.array(z.object({ period: z.string(), from: z.string(), to: z.string(), group: z.string(), count: z.number().int() })),
  }),
});

const aged = z.array(z.object({ group: z.string(), ...days }));
const referralDeadline = z.array(z.object({ agencyId: z.string(), count: z.number().int(), oldestAgeDays: z.number().int() }));

export const deadlinesResponse = z.object({
  ...context,
  waitingOver21Days: figure('waitingOver21Days', { total: z.number().int(), rows: aged }),
  reviewsOverdue: figure('reviewsOverdue', { total: z.number().int(), rows: aged }),
  continuityOver21Days: figure('continuityOver21Days', { total: z.number().int(), rows: aged }),
  referralsNotAcknowledged: figure('referralsNotAcknowledged', { total: z.number().int(), byAgency: referralDeadline }),
  referralsNotContacted: figure('referralsNotContacted', { total: z.number().int(), byAgency: referralDeadline }),
});

const share = z.number().nullable().describe('A fraction 0–1; null when the denominator is 0');

/** One row of successful completion: people, not journeys (definitions.ts). */
const completionRow = z.object({
  group: z.string(),
  inTreatment: z.number().int().describe('People in treatment in the period'),
  completedSuccessfully: z.number().int().describe('People whose last discharge in the period was a successful completion'),
  representedWithin6Months: z.number().int().describe('Of those, people who returned to treatment within 6 months (by the as-of day)'),
  notRepresented: z.number().int().describe('Of those, people whose 6 months have passed without a return: the numerator'),
  windowOpen: z.number().int().describe('Of those, people whose 6 months are still running: not in the numerator yet'),
  windowOpenShare: share.describe('windowOpen as a share of completedSuccessfully: how provisional the period still is'),
  share: share.describe('notRepresented ÷ inTreatment: the final figure'),
});

export const outcomesResponse = z.object({
  ...context,
  startedWithin21Days: figure('startedWithin21Days', {
    rows: z.array(z.object({ group: z.string(), started: z.number().int(), within: z.number().int(), share })),
  }),
  successfulCompletion: figure('successfulCompletion', {
    rows: z.array(completionRow),
    indicators: z
      .array(
        completionRow.extend({
          indicator: z.enum(['C19', 'C19a', 'C19b', 'C19c']).describe('PHOF C19 (everyone), C19a opiate, C19b non-opiate, C19c alcohol'),
          substanceGroups: z.array(z.string()).describe('The episode substance groups the indicator counts'),
        }),
      )
      .describe('The published PHOF indicators, whatever breakdown was asked for'),
  }),
  continuityOfCare: figure('continuityOfCare', {
    rows: z.array(
      z.object({
        group: z.string(),
        released: z.number().int(),
        engagedWithin21Days: z.number().int(),
        engagedLater: z.number().int(),
        awaiting: z.number().int(),
        share,
      }),
    ),
  }),
  representations: figure('representations', { rows: z.array(z.object({ group: z.string(), count: z.number().int() })) }),
  deathsInTreatment: figure('deathsInTreatment', {
    rows: z.array(z.object({ group: z.string(), deaths: z.number().int(), inTreatment: z.number().int() })),
  }),
});

const eteCounts = z.object({
  employment_support: z.number().int(),
  education_support: z.number().int(),
  training_support: z.number().int(),
  volunteering_support: z.number().int(),
});

export const eteResponse = z.object({
  ...context,
  ete: figure('ete', {
    rows: z.array(z.object({ group: z.string(), started: z.number().int(), byModality: eteCounts, inTreatment: z.number().int() })),
  }),
});

export const referralsWaitingResponse = z.object({
  ...context,
  referralsWaiting: figure('referralsWaiting', {
    total: z.number().int(),
    rows: z.array(z.object({ agencyId: z.string(), state: z.string(), group: z.string(), ...days })),
  }),
});

const headline = (name: FigureName) => figure(name, { value: z.number().nullable() });

export const summaryResponse = z.object({
  ...context,
  workInProgress: figure('workInProgress', { total: z.number().int(), byStage: z.record(z.string(), z.number().int()) }),
  waitingOver21Days: headline('waitingOver21Days'),
  reviewsOverdue: headline('reviewsOverdue'),
  continuityOver21Days: headline('continuityOver21Days'),
  referralsNotAcknowledged: headline('referralsNotAcknowledged'),
  referralsNotContacted: headline('referralsNotContacted'),
  startedWithin21Days: headline('startedWithin21Days'),
  successfulCompletion: headline('successfulCompletion'),
  continuityOfCare: headline('continuityOfCare'),
  representations: headline('representations'),
  deathsInTreatment: headline('deathsInTreatment'),
});
