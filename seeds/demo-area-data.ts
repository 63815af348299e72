/**
 * Northbridge: the fictional local recovery system the demo and the tests run in. Every
 * name is invented. Ids are fixed (UUID-shaped, so they pass the API's id checks) so that
 * tests, the README and bookmarks in the web app can name them; re-seeding keeps them.
 */
import type { AgencyKind } from './code-lists.ts';

/** The area every demo agency belongs to (`agencies.area`). */
export const DEMO_AREA = 'Northbridge';

/** The password of every demo login. Demo only: never deploy these accounts. */
export const DEMO_PASSWORD = 'pathways-demo';

/** A demo agency. */
export interface DemoAgency {
  id: string;
  name: string;
  kind: AgencyKind;
}

/** Staff roles, as `users.role`. */
export type DemoRole = 'admin' | 'keyworker' | 'referrer' | 'manager' | 'auditor';

/** A demo member of staff, who can sign in with `DEMO_PASSWORD`. */
export interface DemoUser {
  id: string;
  email: string;
  name: string;
  role: DemoRole;
  agencyId: string;
  /** Recorded so the "female keyworker" option can be offered; not a login field. */
  sex: 'female' | 'male';
}

const agencyId = (n: number): string => `0a000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const userId = (n: number): string => `0b000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** Fixed ids of the agencies other code refers to by role. */
export const DEMO_AGENCY_IDS = {
  recovery: agencyId(1),
  alcoholService: agencyId(2),
  jobcentre: agencyId(3),
  probation: agencyId(4),
  prison: agencyId(5),
  custody: agencyId(6),
  court: agencyId(7),
  housing: agencyId(8),
  hospital: agencyId(9),
  mentalHealth: agencyId(10),
  children: agencyId(11),
  gp: agencyId(12),
  mutualAidPeer: agencyId(13),
  mutualAidFamily: agencyId(14),
} as const;

const A = DEMO_AGENCY_IDS;

/** Every agency of Northbridge, of every kind. */
export const DEMO_AGENCIES: readonly DemoAgency[] = [
  { id: A.recovery, name: 'Northbridge Recovery Partnership', kind: 'treatment_provider' },
  { id: A.alcoholService, name: 'Wenlow Alcohol and Wellbeing Service', kind: 'treatment_provider' },
  { id: A.jobcentre, name: 'Northbridge Jobcentre Plus', kind: 'jobcentre_plus' },
  { id: A.probation, name: 'Northbridge Probation Delivery Unit', kind: 'probation' },
  { id: A.prison, name: 'HMP Northbridge', kind: 'prison' },
  { id: A.custody, name: 'Northbridge Police Custody Suite', kind: 'police_custody' },
  { id: A.court, name: "Northbridge Magistrates' Court", kind: 'court' },
  { id: A.housing, name: 'Northbridge Housing Options', kind: 'housing' },
  { id: A.hospital, name: 'Northbridge General Hospital', kind: 'hospital' },
  { id: A.mentalHealth, name: 'Northbridge Community Mental Health Team', kind: 'mental_health' },
  { id: A.children, name: 'Northbridge Children and Family Services', kind: 'children_services' },
  { id: A.gp, name: 'Millrace Lane Medical Practice', kind: 'gp' },
  { id: A.mutualAidPeer, name: 'Northbridge Recovery Café peer group', kind: 'mutual_aid' },
  { id: A.mutualAidFamily, name: 'Canal Street family support group', kind: 'mutual_aid' },
];

/** Every demo member of staff: all roles, a referrer at every partner. */
export const DEMO_USERS: readonly DemoUser[] = [
  { id: userId(1), email: 'admin@northbridge.example', name: 'Priya Castellan', role: 'admin', agencyId: A.recovery, sex: 'female' },
  { id: userId(2), email: 'manager@northbridge.example', name: 'Tom Ashdown', role: 'manager', agencyId: A.recovery, sex: 'male' },
  { id: userId(3), email: 'auditor@northbridge.example', name: 'Helen Marchbank', role: 'auditor', agencyId: A.recovery, sex: 'female' },
  { id: userId(4), email: 'keyworker@northbridge.example', name: 'Sam Okafor-Reyes', role: 'keyworker', agencyId: A.recovery, sex: 'male' },
  { id: userId(5), email: 'keyworker.female@northbridge.example', name: 'Aisling Whitcombe', role: 'keyworker', agencyId: A.recovery, sex: 'female' },
  { id: userId(6), email: 'keyworker3@northbridge.example', name: 'Dev Harrowgate', role: 'keyworker', agencyId: A.recovery, sex: 'male' },
  { id: userId(7), email: 'keyworker4@northbridge.example', name: 'Maria Fenwick-Lowe', role: 'keyworker', agencyId: A.recovery, sex: 'female' },
  { id: userId(8), email: 'keyworker5@northbridge.example', name: 'Callum Briarley', role: 'keyworker', agencyId: A.recovery, sex: 'male' },
  { id: userId(9), email: 'keyworker.alcohol@northbridge.example', name: 'Nadia Stroud', role: 'keyworker', agencyId: A.alcoholService, sex: 'female' },
  { id: userId(10), email: 'keyworker.alcohol2@northbridge.example', name: 'Gareth Penhallow', role: 'keyworker', agencyId: A.alcoholService, sex: 'male' },
  { id: userId(11), email: 'manager.alcohol@northbridge.example', name: 'Ruth Everleigh', role: 'manager', agencyId: A.alcoholService, sex: 'female' },
  { id: userId(12), email: 'referrer.alcohol@northbridge.example', name: 'Jon Tarrant', role: 'referrer', agencyId: A.alcoholService, sex: 'male' },
  { id: userId(13), email: 'jobcentre@northbridge.example', name: 'Bev Lindqvist', role: 'referrer', agencyId: A.jobcentre, sex: 'female' },
  { id: userId(14), email: 'probation@northbridge.example', name: 'Marcus Oyelaran', role: 'referrer', agencyId: A.probation, sex: 'male' },
  { id: userId(15), email: 'prison@northbridge.example', name: 'Fiona Gledhill', role: 'referrer', agencyId: A.prison, sex: 'female' },
  { id: userId(16), email: 'custody@northbridge.example', name: 'Kieran Moss', role: 'referrer', agencyId: A.custody, sex: 'male' },
  { id: userId(17), email: 'court@northbridge.example', name: 'Elaine Bradwell', role: 'referrer', agencyId: A.court, sex: 'female' },
  { id: userId(18), email: 'housing@northbridge.example', name: 'Yusuf Darnley', role: 'referrer', agencyId: A.housing, sex: 'male' },
  { id: userId(19), email: 'hospital@northbridge.example', name: 'Grace Amberley', role: 'referrer', agencyId: A.hospital, sex: 'female' },
  { id: userId(20), email: 'mentalhealth@northbridge.example', name: 'Owen Pritchard-Hale', role: 'referrer', agencyId: A.mentalHealth, sex: 'male' },
  { id: userId(21), email: 'children@northbridge.example', name: 'Leah Sommerfield', role: 'referrer', agencyId: A.children, sex: 'female' },
  { id: userId(22), email: 'gp@northbridge.example', name: 'Dr Imran Vessey', role: 'referrer', agencyId: A.gp, sex: 'male' },
  { id: userId(23), email: 'mutualaid@northbridge.example', name: 'Rosa Kettering', role: 'referrer', agencyId: A.mutualAidPeer, sex: 'female' },
  { id: userId(24), email: 'familysupport@northbridge.example', name: 'Alan Whitsun', role: 'referrer', agencyId: A.mutualAidFamily, sex: 'male' },
  { id: userId(25), email: 'referrer@northbridge.example', name: 'Chloe Abernant', role: 'referrer', agencyId: A.recovery, sex: 'female' },
];

/** A demo sign-in, for the README and the `npm start` banner. */
export interface DemoLogin {
  email: string;
  password: string;
  role: DemoRole;
  agency: string;
  name: string;
}

/** Every demo sign-in, in the order the README lists them. */
export const DEMO_LOGINS: readonly DemoLogin[] = DEMO_USERS.map((u) => ({
  email: u.email,
  password: DEMO_PASSWORD,
  role: u.role,
  agency: DEMO_AGENCIES.find((a) => a.id === u.agencyId)?.name ?? u.agencyId,
  name: u.name,
}));

/** The keyworkers of one treatment provider (cohort journeys are shared among them). */
export function demoKeyworkers(agency: string): readonly DemoUser[] {
  return DEMO_USERS.filter((u) => u.role === 'keyworker' && u.agencyId === agency);
}

/** The first demo user of an agency who can send referrals from it. */
export function demoSenderOf(agency: string): DemoUser {
  const user = DEMO_USERS.find((u) => u.agencyId === agency && (u.role === 'referrer' || u.role === 'keyworker'));
  if (!user) throw new Error(`no demo user can send referrals from agency ${agency}`);
  return user;
}
