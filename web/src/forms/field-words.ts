/**
 * Labels and hints for the fields of the shared schemas, and labels for their coded
 * values. Codes come from machines/codes.ts (the same spelling seeds load).
 */
import {
  DISCHARGE_REASON_LABELS,
  HOUSING_NEED_LABELS,
  INJECTING_STATUS_LABELS,
  INTERVENTION_MODALITY_LABELS,
  REFERRAL_SOURCE_LABELS,
  SUBSTANCE_GROUP_LABELS,
} from '../../../machines/codes.ts';
import { humanise } from '../lib/format.ts';

const LABELS: Record<string, string> = {
  outcome: 'Outcome',
  dischargeReason: 'Discharge reason (brief advice)',
  reason: 'Reason',
  domains: 'Assessment domains',
  substanceUse: 'Substance use',
  physicalHealth: 'Physical health',
  mentalHealth: 'Mental health',
  housingNeed: 'Housing need',
  injectingStatus: 'Injecting status',
  ete: 'Employment, education and training',
  offending: 'Offending',
  familyAndChildren: 'Family and children (safeguarding)',
  relationships: 'Relationships',
  completedOn: 'Completed on',
  substanceGroup: 'Substance group (for national reporting)',
  carePlanDate: 'Care plan date',
  interventions: 'Interventions',
  modality: 'Intervention',
  interventionId: 'Intervention',
  id: 'Reference',
  offeredOn: 'First appointment offered on',
  startedOn: 'Started on',
  endedOn: 'Ended on',
  exitStatus: 'How it ended',
  top: 'Treatment Outcomes Profile (TOP)',
  exitTop: 'Exit TOP',
  reviewedOn: 'Reviewed on',
  dischargedOn: 'Discharged on',
  checkupOn: 'Check-up on',
  reportedOn: 'Relapse reported on',
  custodyOn: 'Custody began on',
  releasedOn: 'Released on',
  engagedOn: 'Engaged on',
  keyworkerId: 'Keyworker',
  kind: 'When this TOP was taken',
  recordedOn: 'TOP date',
  substanceDays: 'Days used in the last 28 days',
  alcohol: 'Alcohol',
  opiates: 'Opiates',
  crack: 'Crack',
  cocaine: 'Cocaine',
  amphetamines: 'Amphetamines',
  cannabis: 'Cannabis',
  other: 'Other drugs',
  tobacco: 'Tobacco',
  injectingDays: 'Days injecting',
  sharedEquipment: 'Shared injecting equipment',
  shopliftingDays: 'Days shoplifting',
  sellingDrugsDays: 'Days selling drugs',
  otherTheftDays: 'Days of other theft',
  assaultOrViolence: 'Assault or violence',
  psychologicalHealth: 'Psychological health (0 poor – 20 good)',
  qualityOfLife: 'Quality of life (0 poor – 20 good)',
  paidWorkDays: 'Days in paid work',
  educationDays: 'Days in education',
  acuteHousingProblem: 'Acute housing problem',
  atRiskOfEviction: 'At risk of eviction',
  contactOn: 'First contact on',
  categories: 'Data the person agrees to share',
  purpose: 'Purpose',
  givenOn: 'Consent given on',
  validUntil: 'Valid until',
  toAgencyId: 'Receiving agency',
  toAgencyKind: 'Every agency of this kind',
  urgency: 'Urgency',
  referralSource: 'Referral source (for the journey)',
  safeguardingOverride: 'Safeguarding override (send without consent)',
  justification: 'Why someone is at risk',
  givenName: 'Given name',
  familyName: 'Family name',
  dateOfBirth: 'Date of birth',
  sex: 'Sex',
  ethnicity: 'Ethnicity code',
  postcodeDistrict: 'Postcode district',
  genderIdentity: 'Gender identity',
  sexualOrientation: 'Sexual orientation',
  religion: 'Religion',
  disability: 'Has a disability',
  pregnant: 'Pregnant',
  parentalResponsibility: 'Lives with or responsible for children',
  nhsNumber: 'NHS number',
  contact: 'Contact details',
  phone: 'Phone',
  email: 'Email',
  address: 'Address',
  effectiveAt: 'When it happened',
  backdateReason: 'Why it is recorded late',
};

/** `physicalHealth` means a 0–20 rating inside a TOP, free text inside assessment domains. */
const LABELS_IN: Record<string, Record<string, string>> = {
  top: { physicalHealth: 'Physical health (0 poor – 20 good)' },
  exitTop: { physicalHealth: 'Physical health (0 poor – 20 good)' },
};

const VALUE_LABELS: Record<string, Record<string, string>> = {
  reason: DISCHARGE_REASON_LABELS,
  dischargeReason: DISCHARGE_REASON_LABELS,
  modality: INTERVENTION_MODALITY_LABELS,
  housingNeed: HOUSING_NEED_LABELS,
  injectingStatus: INJECTING_STATUS_LABELS,
  substanceGroup: SUBSTANCE_GROUP_LABELS,
  referralSource: REFERRAL_SOURCE_LABELS,
  outcome: { assess: 'Needs structured treatment: go on to assessment', brief_advice: 'Brief advice only: close the journey' },
  exitStatus: { planned: 'Planned', unplanned: 'Unplanned (by the person)', withdrawn: 'Withdrawn (by the service)' },
  kind: { start: 'Treatment start', review: 'Review', exit: 'Exit', post_exit: 'After exit' },
};

/** The label of a field, knowing its parent (`top.physicalHealth`). */
export function fieldLabel(name: string, parent?: string): string {
  return (parent && LABELS_IN[parent]?.[name]) ?? LABELS[name] ?? humanise(name);
}

/** The label of a coded value of a field. */
export function valueLabel(field: string, value: string): string {
  return VALUE_LABELS[field]?.[value] ?? humanise(value);
}
