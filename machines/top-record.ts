/**
 * The Treatment Outcomes Profile (TOP) record: the outcome measure taken at treatment
 * start, at each review, at exit and after exit. Every count covers the last 28 days.
 */

/** When in the journey a TOP was taken. */
export const TOP_KINDS = ['start', 'review', 'exit', 'post_exit'] as const;
/** A TOP kind. */
export type TopKind = (typeof TOP_KINDS)[number];

/** Substances whose days of use a TOP counts. */
export const TOP_SUBSTANCES = ['alcohol', 'opiates', 'crack', 'cocaine', 'amphetamines', 'cannabis', 'other', 'tobacco'] as const;
/** A TOP substance. */
export type TopSubstance = (typeof TOP_SUBSTANCES)[number];

/** One TOP record. Day counts are 0–28; ratings are 0–20. */
export interface TopRecord {
  kind: TopKind;
  /** Date the TOP was completed, `YYYY-MM-DD`. */
  recordedOn: string;
  /** Days using each substance in the last 28 days. */
  substanceDays: Record<TopSubstance, number>;
  injectingDays: number;
  sharedEquipment: boolean;
  shopliftingDays: number;
  sellingDrugsDays: number;
  otherTheftDays: number;
  assaultOrViolence: boolean;
  /** 0 (poor) – 20 (good). */
  psychologicalHealth: number;
  physicalHealth: number;
  qualityOfLife: number;
  paidWorkDays: number;
  educationDays: number;
  acuteHousingProblem: boolean;
  atRiskOfEviction: boolean;
}

const isDays = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 28;
const isRating = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 20;

/**
 * True when `top` is a well-formed TOP. The API validates fields with zod first and names
 * the wrong one; this check keeps the machine's guards honest for any other caller.
 */
export function isTopRecord(top: unknown): top is TopRecord {
  if (typeof top !== 'object' || top === null) return false;
  const t = top as Partial<TopRecord>;
  if (!(TOP_KINDS as readonly unknown[]).includes(t.kind)) return false;
  if (typeof t.recordedOn !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(t.recordedOn)) return false;
  const days = t.substanceDays;
  if (typeof days !== 'object' || days === null) return false;
  if (!TOP_SUBSTANCES.every((s) => isDays(days[s]))) return false;
  return (
    [t.injectingDays, t.shopliftingDays, t.sellingDrugsDays, t.otherTheftDays, t.paidWorkDays, t.educationDays].every(isDays) &&
    [t.psychologicalHealth, t.physicalHealth, t.qualityOfLife].every(isRating) &&
    [t.sharedEquipment, t.assaultOrViolence, t.acuteHousingProblem, t.atRiskOfEviction].every((b) => typeof b === 'boolean')
  );
}
