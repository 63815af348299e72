/**
 * The one place that cuts what a viewer sees of a person and a journey down to the data
 * categories they may see (the consent scope from `record-access.ts`). The HTTP API and
 * the live socket fan-out both send only what passes through here, so a receiving agency
 * can never see a category it has no consent for, whichever way the data travels.
 *
 * Every projection lists what it left out in `withheld`, so a screen can say "not shared"
 * rather than show a gap that looks like "none".
 */
import { covers, DATA_CATEGORIES, type CategoryScope, type DataCategory } from '../../machines/data-categories.ts';

type Obj = Record<string, unknown>;

/** Fields of a person and the category each belongs to; `id` is always visible. */
export const PERSON_FIELD_CATEGORIES: Record<string, DataCategory> = {
  givenName: 'identity',
  familyName: 'identity',
  dateOfBirth: 'identity',
  sex: 'identity',
  ethnicity: 'identity',
  postcodeDistrict: 'identity',
  genderIdentity: 'identity',
  sexualOrientation: 'identity',
  religion: 'identity',
  disability: 'identity',
  nhsNumber: 'identity',
  identifiers: 'identity',
  createdByAgencyId: 'identity',
  createdAt: 'identity',
  contact: 'contact',
  pregnant: 'health',
  parentalResponsibility: 'safeguarding',
};

/**
 * Fields of a journey view and their category. Only the fields named here, plus the ids
 * and versions in `JOURNEY_ALWAYS_VISIBLE`, ever reach an agency the journey is shared
 * with: a field added to the view later stays with the holder until it is given a
 * category here.
 */
export const JOURNEY_FIELD_CATEGORIES: Record<string, DataCategory> = {
  stage: 'treatment_progress',
  state: 'treatment_progress',
  stateValue: 'treatment_progress',
  status: 'treatment_progress',
  keyworkerId: 'treatment_progress',
  referralSource: 'treatment_progress',
  referredOn: 'treatment_progress',
  stageEnteredAt: 'treatment_progress',
  openedAt: 'treatment_progress',
  closedAt: 'treatment_progress',
  updatedAt: 'treatment_progress',
  dueTimers: 'treatment_progress',
  overdue: 'treatment_progress',
  carePackage: 'treatment_progress',
  interventions: 'treatment_progress',
  reviews: 'treatment_progress',
  lastReviewOn: 'treatment_progress',
  discharge: 'treatment_progress',
  closure: 'treatment_progress',
  checkups: 'treatment_progress',
  representations: 'treatment_progress',
  waitingTimeBreached: 'treatment_progress',
  treatmentStartedOn: 'treatment_progress',
  reenteredOn: 'treatment_progress',
  substanceGroup: 'substance_use',
  custody: 'offending',
  continuity: 'offending',
};

/** Journey fields every viewer of the journey sees: what it is, whose, and whether it is open. */
export const JOURNEY_ALWAYS_VISIBLE = ['id', 'personId', 'leadAgencyId', 'machineVersion', 'version', 'open', 'consentWithdrawn', 'sharedUntil'] as const;

/** TOP fields by category; `kind` and `recordedOn` go with any of them. */
export const TOP_FIELD_CATEGORIES: Record<string, DataCategory> = {
  substanceDays: 'substance_use',
  injectingDays: 'substance_use',
  sharedEquipment: 'substance_use',
  shopliftingDays: 'offending',
  sellingDrugsDays: 'offending',
  otherTheftDays: 'offending',
  assaultOrViolence: 'offending',
  psychologicalHealth: 'health',
  physicalHealth: 'health',
  qualityOfLife: 'health',
  paidWorkDays: 'employment',
  educationDays: 'employment',
  acuteHousingProblem: 'housing',
  atRiskOfEviction: 'housing',
};

/** Assessment domains by category. */
export const ASSESSMENT_DOMAIN_CATEGORIES: Record<string, DataCategory> = {
  substanceUse: 'substance_use',
  injectingStatus: 'substance_use',
  physicalHealth: 'health',
  mentalHealth: 'health',
  housingNeed: 'housing',
  ete: 'employment',
  offending: 'offending',
  familyAndChildren: 'safeguarding',
  relationships: 'safeguarding',
};

/** The categories a scope leaves out (none for the record's holder). */
export function withheldOf(scope: CategoryScope): DataCategory[] {
  return scope === 'all' ? [] : DATA_CATEGORIES.filter((c) => !scope.has(c));
}

function pick(source: Obj, fieldCategories: Record<string, DataCategory>, scope: CategoryScope): Obj {
  const out: Obj = {};
  for (const [key, value] of Object.entries(source)) {
    const category = fieldCategories[key];
    if (category === undefined || covers(scope, category)) out[key] = value;
  }
  return out;
}

/** Cuts one TOP record; null when the scope covers none of its categories. */
export function cutTop(top: unknown, scope: CategoryScope): Obj | null {
  if (scope === 'all' || typeof top !== 'object' || top === null) return (top as Obj | null) ?? null;
  const cut = pick(top as Obj, TOP_FIELD_CATEGORIES, scope);
  const hasData = Object.keys(cut).some((k) => k in TOP_FIELD_CATEGORIES);
  return hasData ? cut : null;
}

/** Cuts assessment domains. */
export function cutDomains(domains: unknown, scope: CategoryScope): Obj {
  if (typeof domains !== 'object' || domains === null) return {};
  return pick(domains as Obj, ASSESSMENT_DOMAIN_CATEGORIES, scope);
}

/** A person cut to the scope, with `withheld` listing the categories left out. */
export function projectPerson<T extends Obj>(person: T, scope: CategoryScope): Obj & { withheld: DataCategory[] } {
  return { ...pick(person, PERSON_FIELD_CATEGORIES, scope), withheld: withheldOf(scope) };
}

/**
 * What the agency that sent a referral sees of the person on it whatever the consents
 * (`sentReferral` in record-access.ts): who it referred, as it named them. Contact details,
 * health and the rest of identity (ethnicity, sex, identifiers, …) still need consent.
 */
export const REFERRER_PERSON_FIELDS = ['givenName', 'familyName', 'dateOfBirth'] as const;

/**
 * The person on a referral as the viewer sees it: cut to the viewer's scope (null for
 * none), with the referral's sender always seeing REFERRER_PERSON_FIELDS; undefined when
 * the viewer may see nothing of the person.
 */
export function projectReferredPerson<T extends Obj>(person: T, scope: CategoryScope | null, sender: boolean): (Obj & { withheld: DataCategory[] }) | undefined {
  if (scope === null && !sender) return undefined;
  const out = projectPerson(person, scope ?? new Set<DataCategory>());
  if (sender) for (const key of REFERRER_PERSON_FIELDS) if (key in person) out[key] = person[key];
  return out;
}

/** Discharge reasons that disclose custody (offending). */
const CUSTODY_DISCHARGE_REASONS = new Set(['transferred_in_custody']);

/** True for a state label or stage inside custody (`inCustody`, `inCustody.…`). */
function inCustody(state: unknown): boolean {
  return typeof state === 'string' && (state === 'inCustody' || state.startsWith('inCustody.'));
}

/** A discharge or closure without a reason that discloses custody. */
function cutReason(value: unknown, scope: CategoryScope): unknown {
  if (covers(scope, 'offending') || typeof value !== 'object' || value === null) return value;
  const v = value as Obj;
  if (!CUSTODY_DISCHARGE_REASONS.has(String(v.reason))) return value;
  const { reason: _reason, ...rest } = v;
  return rest;
}

/**
 * A journey view cut to the scope. TOP records, reviews, check-ups and the assessment are
 * cut field by field (substance use, offending, health, employment, housing); a viewer who
 * is not the holder may send nothing, so `allowedEvents` and `eventOptions` are emptied.
 * Custody is offending information: a viewer with treatment progress but not offending
 * sees a journey in custody at the stage it was paused in, and no discharge reason that
 * names custody.
 */
export function projectJourney<T extends Obj>(journey: T, scope: CategoryScope): Obj & { withheld: DataCategory[] } {
  if (scope === 'all') return { ...journey, withheld: [] };
  const out: Obj = {};
  for (const key of JOURNEY_ALWAYS_VISIBLE) if (key in journey) out[key] = journey[key];
  for (const [key, category] of Object.entries(JOURNEY_FIELD_CATEGORIES)) if (key in journey && covers(scope, category)) out[key] = journey[key];
  if (covers(scope, 'treatment_progress') && !covers(scope, 'offending')) {
    if (inCustody(journey.stage) || inCustody(journey.state)) {
      const before = (journey.custody as Obj | null | undefined)?.stageBeforeCustody;
      const paused = typeof before === 'string' ? before : null;
      if ('stage' in out) out.stage = paused?.split('.')[0] ?? null;
      if ('state' in out) out.state = paused;
      if ('stateValue' in out) out.stateValue = paused;
    }
    if (out.overdue && typeof out.overdue === 'object') {
      const o = out.overdue as Obj;
      const any = o.waitingTime === true || o.review === true || o.checkup === true;
      out.overdue = { ...o, continuityOfCare: false, any };
    }
    if ('discharge' in out) out.discharge = cutReason(out.discharge, scope);
    if ('closure' in out) out.closure = cutReason(out.closure, scope);
  }
  if (Array.isArray(journey.tops)) out.tops = journey.tops.map((t) => cutTop(t, scope)).filter((t) => t !== null);
  if (Array.isArray(out.reviews)) out.reviews = (out.reviews as Obj[]).map((r) => ({ ...r, top: cutTop(r.top, scope) }));
  if (Array.isArray(out.checkups)) out.checkups = (out.checkups as Obj[]).map((c) => ({ ...c, top: cutTop(c.top, scope) }));
  if (journey.assessment && typeof journey.assessment === 'object') {
    const a = journey.assessment as Obj;
    out.assessment = { ...(covers(scope, 'treatment_progress') ? { completedOn: a.completedOn } : {}), domains: cutDomains(a.domains, scope) };
  }
  if ('allowedEvents' in journey) out.allowedEvents = [];
  if ('eventOptions' in journey) out.eventOptions = {};
  if ('person' in journey && journey.person && typeof journey.person === 'object') out.person = projectPerson(journey.person as Obj, scope);
  out.withheld = withheldOf(scope);
  return out as Obj & { withheld: DataCategory[] };
}

const CUSTODY_EVENTS = new Set(['CUSTODY_STARTED', 'RELEASED_FROM_CUSTODY', 'COMMUNITY_ENGAGED', 'CONTINUITY_OF_CARE_BREACHED']);

/**
 * One timeline entry cut to the scope: null when the viewer may not see it at all
 * (no treatment progress; custody events, and events inside custody, need offending),
 * otherwise with TOPs and assessment domains in its payload cut like the journey's.
 */
export function projectTimelineEntry<T extends Obj & { type: string; payload: Obj }>(entry: T, scope: CategoryScope): T | null {
  if (scope === 'all') return entry;
  if (!covers(scope, 'treatment_progress')) return null;
  const offending = covers(scope, 'offending');
  if (!offending && (CUSTODY_EVENTS.has(entry.type) || inCustody(entry.toState))) return null;
  // Withdrawing a continuity-of-care breach tells of a release from custody.
  if (!offending && entry.type === 'BREACH_WITHDRAWN' && entry.payload.clock === 'continuity_of_care') return null;
  // A contact entry is shared only where the person agreed to its own category.
  if (entry.type === 'CONTACT_RECORDED' && !covers(scope, entry.payload.category as DataCategory)) return null;
  const payload: Obj = { ...entry.payload };
  for (const key of ['top', 'exitTop']) if (key in payload) payload[key] = cutTop(payload[key], scope);
  if ('domains' in payload) payload.domains = cutDomains(payload.domains, scope);
  if ('substanceGroup' in payload && !covers(scope, 'substance_use')) delete payload.substanceGroup;
  if (!offending && CUSTODY_DISCHARGE_REASONS.has(String(payload.reason))) delete payload.reason;
  const cut: Obj = { ...entry, payload };
  if (!offending && inCustody(entry.fromState)) cut.fromState = null;
  return cut as T;
}
