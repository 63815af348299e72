/**
 * The web app's pure parts, without a browser: the diagram read from the statechart, the
 * colour bands of a stage's wait, and the form values built from the shared schemas.
 */
import { describe, expect, it } from 'vitest';
import { CASE_EVENT_SCHEMAS } from '../../api/schemas/case-events.ts';
import { pathwayMachine, TIMER_EVENT_TYPES } from '../../machines/index.ts';
import { compact, defaultsFor, getAt, setAt } from '../../web/src/forms/form-value.ts';
import { issuesByPath, jsonSchemaOf } from '../../web/src/forms/json-schema.ts';
import { pathwayEdges } from '../../web/src/manager/pathway-graph.ts';
import { lateBand } from '../../web/src/manager/stage-status.ts';
import { layoutLanes } from '../../web/src/manager/pathway-lanes.ts';
import { groupLabel } from '../../web/src/manager/group-label.ts';
import { timelineWords } from '../../web/src/keyworker/timeline-details.ts';
import type { TimelineEntry } from '../../web/src/keyworker/case-types.ts';
import { personHistoryWords, type PersonHistoryEntry } from '../../web/src/people/person-history-words.ts';

const schemaOf = (type: string) => {
  const s = CASE_EVENT_SCHEMAS.find((x) => x.shape.type.value === type);
  if (!s) throw new Error(type);
  return s;
};

describe('pathway diagram from the machine', () => {
  const { stages, edges } = pathwayEdges(pathwayMachine, TIMER_EVENT_TYPES);
  const edge = (from: string, to: string) => edges.find((e) => e.from === from && e.to === to);

  it('has one box per top-level stage, the initial one marked', () => {
    expect(stages.map((s) => s.id).sort()).toEqual(Object.keys(pathwayMachine.root.states).sort());
    expect(stages.filter((s) => s.initial).map((s) => s.id)).toEqual(['referred']);
    expect(stages.filter((s) => s.final).map((s) => s.id)).toEqual(['closed']);
  });

  it('draws the moves the statechart makes, lifting nested states to their stage', () => {
    expect(edge('referred', 'screening')?.events).toEqual(['SCREENING_STARTED']);
    expect(edge('carePlanning', 'inTreatment')?.events).toEqual(['INTERVENTION_STARTED']);
    expect(edge('inTreatment', 'recoveryCheckups')?.events).toEqual(['DISCHARGED']);
    expect(edge('recoveryCheckups', 'rapidReentry')?.events).toEqual(['RELAPSE_REPORTED']);
    expect(edge('rapidReentry', 'carePlanning')?.events).toEqual(['REENTRY_CONFIRMED']);
    // CUSTODY_STARTED from inTreatment.active and .reviewDue is one edge from In treatment.
    expect(edge('inTreatment', 'inCustody')).toMatchObject({ events: ['CUSTODY_STARTED'], kind: 'custody' });
    expect(edge('recoveryCheckups', 'closed')).toMatchObject({ events: ['RECOVERY_SUSTAINED'], kind: 'timer' });
    // Moves within a stage (REVIEW_DUE, REVIEW_COMPLETED) are not arrows.
    expect(edges.some((e) => e.from === e.to)).toBe(false);
    expect(edge('closed', 'referred')).toBeUndefined();
  });
});

describe('how far past its deadline a stage is', () => {
  it('judges only stages with a policy deadline, by the share past it', () => {
    expect(lateBand('inTreatment', 0, 0)).toBe('none');
    expect(lateBand('referred', 10, 0)).toBe('within');
    expect(lateBand('referred', 10, 1)).toBe('some');
    expect(lateBand('referred', 10, 2)).toBe('many');
    expect(lateBand('inTreatment', 100, 10)).toBe('some');
    // Time in treatment after it, or check-ups, are never "late".
    expect(lateBand('recoveryCheckups', 100, 50)).toBe('untargeted');
    expect(lateBand('closed', 5, 0)).toBe('untargeted');
  });
});

describe('breakdown groups in words', () => {
  it('says age bands as ranges and codes as words', () => {
    expect(groupLabel('18-24')).toBe('18 to 24');
    expect(groupLabel('65+')).toBe('65 and over');
    expect(groupLabel('under_18')).toBe('Under 18');
    expect(groupLabel('not_recorded')).toBe('Not recorded');
    expect(groupLabel('white_british')).toBe('White british');
    expect(groupLabel('NB1')).toBe('NB1');
    expect(groupLabel('all')).toBe('Everyone');
  });
});

describe('the pathway in lanes', () => {
  const d = layoutLanes(pathwayMachine, TIMER_EVENT_TYPES);
  const segments = (points: Array<{ x: number; y: number }>) => points.slice(1).map((p, i) => [points[i]!, p] as const);

  it('puts the forward journey in one row, custody above and re-entry and closure below', () => {
    const main = d.nodes.filter((n) => n.lane === 'main').sort((a, b) => a.x - b.x).map((n) => n.id);
    expect(main).toEqual(['referred', 'screening', 'assessment', 'carePlanning', 'inTreatment', 'recoveryCheckups']);
    const y = (id: string) => d.nodes.find((n) => n.id === id)!.y;
    expect(y('inCustody')).toBeLessThan(y('referred'));
    expect(y('rapidReentry')).toBeGreaterThan(y('referred'));
    expect(y('closed')).toBeGreaterThan(y('referred'));
    expect(d.nodes).toHaveLength(Object.keys(pathwayMachine.root.states).length);
  });

  it('crosses the main path nowhere and overlaps no box', () => {
    const mainSegments = d.links.filter((l) => l.kind === 'main').flatMap((l) => segments(l.points));
    expect(mainSegments).toHaveLength(5);
    for (const l of d.links.filter((x) => x.kind !== 'main')) {
      for (const [a, b] of segments(l.points)) {
        for (const [c, e] of mainSegments) expect(crosses(a, b, c, e), l.id).toBe(false);
      }
    }
    for (const n of d.nodes) {
      for (const m of d.nodes) {
        if (m === n) continue;
        const apart = n.x + n.width <= m.x || m.x + m.width <= n.x || n.y + n.height <= m.y || m.y + m.height <= n.y;
        expect(apart, `${n.id} overlaps ${m.id}`).toBe(true);
      }
    }
    // Fits a 1,280 px screen without shrinking its 12 px labels.
    expect(d.width).toBeLessThanOrEqual(1100);
  });
});

/** Whether segment a–b crosses segment c–d (touching at an end counts as not crossing). */
function crosses(a: { x: number; y: number }, b: { x: number; y: number }, c: { x: number; y: number }, d: { x: number; y: number }): boolean {
  const o = (p: { x: number; y: number }, q: { x: number; y: number }, r: { x: number; y: number }) => Math.sign((q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x));
  return o(a, b, c) * o(a, b, d) < 0 && o(c, d, a) * o(c, d, b) < 0;
}

describe('forms from the shared schemas', () => {
  it('starts a TOP empty, so every count and rating must be answered (a skipped question is never "no use")', () => {
    const js = jsonSchemaOf(schemaOf('TOP_RECORDED'));
    const start = defaultsFor(js) as { top: Record<string, unknown> };
    expect(getAt(start, 'top.substanceDays.alcohol')).toBeUndefined();
    expect(getAt(start, 'top.sharedEquipment')).toBe(false);
    expect(getAt(start, 'top.psychologicalHealth')).toBeUndefined();
    expect(getAt(start, 'top.recordedOn')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const parsed = schemaOf('TOP_RECORDED').safeParse(compact({ ...start, type: 'TOP_RECORDED', expectedVersion: 3 }));
    expect(parsed.success).toBe(false);
    if (!parsed.success) {
      const issues = issuesByPath(parsed.error);
      expect(issues.get('top.psychologicalHealth')).toBe('This is required');
      expect(issues.get('top.substanceDays.alcohol')).toBe('This is required');
      expect(issues.get('top.kind')).toBeDefined();
    }
  });

  it('writes nested values by path and drops empty optional fields', () => {
    let v: Record<string, unknown> = {};
    v = setAt(v, 'interventions.0.modality', 'outreach');
    v = setAt(v, 'interventions.0.id', 'a1');
    v = setAt(v, 'domains.ete', '');
    expect(v).toEqual({ interventions: [{ modality: 'outreach', id: 'a1' }], domains: { ete: '' } });
    expect(compact(v)).toEqual({ interventions: [{ modality: 'outreach', id: 'a1' }], domains: {} });
    const body = compact({ interventions: v.interventions, carePlanDate: '', type: 'CARE_PLAN_AGREED', expectedVersion: 1 });
    expect(schemaOf('CARE_PLAN_AGREED').safeParse(body).success).toBe(true);
    // Strict event schemas refuse fields of other events, as the API does.
    expect(schemaOf('CARE_PLAN_AGREED').safeParse({ ...(body as object), domains: {} }).success).toBe(false);
    expect(setAt(v, 'domains.ete', undefined)).toEqual({ interventions: [{ modality: 'outreach', id: 'a1' }], domains: {} });
  });
});

describe('timeline words', () => {
  const ids = { sam: 'u-7f3a', probation: 'ag-91c2', appt: 'ap-55d0', contact: 'ct-1e2f' };
  let seq = 0;
  const entry = (type: string, payload: Record<string, unknown>): TimelineEntry => {
    seq += 1;
    return { seq, version: seq, type, payload, fromState: 'screening', toState: 'screening', effectiveAt: '2026-12-03T10:00:00.000Z', recordedAt: '2026-12-03T10:00:00.000Z', userId: ids.sam, agencyId: null, backdateReason: null };
  };
  const items = [
    entry('KEYWORKER_ASSIGNED', { keyworkerId: ids.sam, reason: 'Caseload balanced' }),
    entry('APPOINTMENT_BOOKED', { appointmentId: ids.appt, kind: 'three_way_probation', startsAt: '2026-12-03T10:00:00.000Z', withWhom: 'Jo (officer)', partnerAgencyId: ids.probation }),
    entry('APPOINTMENT_MISSED', { appointmentId: ids.appt }),
    entry('TASK_ASSIGNED', { taskId: `dna-${ids.appt}`, assigneeId: ids.sam }),
    entry('TASK_COMPLETED', { taskId: `dna-${ids.appt}`, note: 'Phoned; rebooked' }),
    entry('APPOINTMENT_CANCELLED', { appointmentId: ids.appt, by: 'person', reason: 'Unwell' }),
    entry('CONTACT_RECORDED', { contactId: ids.contact, contactOn: '2026-12-02', mode: 'phone', category: 'treatment_progress', summary: 'Called about Thursday.' }),
    entry('CONTACT_RECORDED', { contactId: 'ct-2', contactOn: '2026-12-02', mode: 'phone', category: 'treatment_progress', summary: 'Called about Friday, not Thursday.', corrects: ids.contact }),
    entry('INTERVENTION_STARTED', { interventionId: 'p1', startedOn: '2026-12-01' }),
  ];
  const words = [...timelineWords(items, { staff: (id) => (id === ids.sam ? 'Sam Keyworker' : 'someone'), agency: (id) => (id === ids.probation ? 'Northbridge Probation' : 'another agency') }).values()];

  it('gives every newer event a plain-English label and a detail line with names, not ids or JSON', () => {
    expect(words.map((w) => w.label)).toEqual([
      'Keyworker assigned',
      'Appointment booked',
      'Did not attend',
      'Task assigned',
      'Task done',
      'Appointment cancelled by the person',
      'Contact recorded',
      'Contact entry corrected',
      'Intervention started',
    ]);
    expect(words[0]?.detail).toBe('Sam Keyworker · Reason: Caseload balanced');
    expect(words[1]?.detail).toBe('Three-way meeting with probation, 3 Dec 2026, 10:00 · with Jo (officer) · with Northbridge Probation');
    expect(words[2]?.detail).toBe(words[1]?.detail);
    expect(words[3]?.detail).toBe('Follow up a missed appointment · for the three-way meeting with probation, 3 Dec 2026, 10:00 · with Jo (officer) · with Northbridge Probation · to Sam Keyworker');
    expect(words[4]?.detail).toMatch(/^Follow up a missed appointment · .* · “Phoned; rebooked”$/);
    expect(words[5]?.detail).toMatch(/ · Reason: Unwell$/);
    expect(words[6]?.detail).toBe('Phone call on 2 Dec 2026 · Treatment progress · “Called about Thursday.”');
    expect(words[7]?.detail).toBe('Phone call on 2 Dec 2026 · Treatment progress · corrects the entry of 2 Dec 2026 · “Called about Friday, not Thursday.”');
    expect(words[8]?.detail).toBe('Started on 1 Dec 2026');
    const all = words.map((w) => `${w.label} ${w.detail}`).join('\n');
    for (const id of Object.values(ids)) expect(all).not.toContain(id);
    expect(all).not.toMatch(/[{}]|_[a-z]/);
  });
});

describe('person history words', () => {
  const probation = 'ag-3b1d';
  let seq = 0;
  const entry = (type: string, payload: Record<string, unknown>, byAgencyId: string | null = 'ag-prov'): PersonHistoryEntry => {
    seq += 1;
    return { seq, version: seq, type, at: '2026-12-03T10:00:00.000Z', recordedAt: '2026-12-03T10:00:00.000Z', byUserId: 'u-1', byAgencyId, payload };
  };
  const items = [
    entry('PERSON_RECORDED', { givenName: 'Robin' }),
    entry('PERSON_DETAILS_CORRECTED', { changes: { dateOfBirth: '1979-04-03', postcodeDistrict: null } }),
    entry('CONSENT_GIVEN', { consentId: 'c-1', toAgencyId: probation, toAgencyKind: null, categories: ['identity', 'treatment_progress'], purpose: 'Supervision', givenOn: '2026-12-03', validUntil: '2027-12-02' }),
    entry('CONSENT_RENEWED', { consentId: 'c-1', validUntil: '2028-12-02' }),
    entry('CONSENT_GIVEN', { consentId: 'c-2', toAgencyId: null, toAgencyKind: 'gp', categories: ['health'], purpose: 'Keep the GP informed', givenOn: '2026-12-03', validUntil: null }),
    entry('CONSENT_WITHDRAWN', { consentId: 'c-1', reason: 'Asked to stop' }),
    entry('CONSENT_EXPIRED', { consentId: 'c-2' }, null),
  ];
  const words = [...personHistoryWords(items, (id) => (id === probation ? 'Northbridge Probation' : 'Northbridge Recovery')).values()];

  it('says what happened to the record and each consent, naming agencies, categories and dates', () => {
    expect(words[1]?.label).toBe('Details corrected');
    expect(words[1]?.detail).toMatch(/: 3 Apr 1979; .* cleared · by Northbridge Recovery$/);
    expect([words[0], ...words.slice(2)]).toEqual([
      { label: 'Record created', detail: 'by Northbridge Recovery' },
      { label: 'Consent given', detail: 'to Northbridge Probation · Identity, Treatment progress · until 2 Dec 2027 · for “Supervision”' },
      { label: 'Consent renewed', detail: 'to Northbridge Probation · until 2 Dec 2028' },
      { label: 'Consent given', detail: 'to every gp agency · Health · for “Keep the GP informed”' },
      { label: 'Consent withdrawn', detail: 'to Northbridge Probation · Reason: Asked to stop' },
      { label: 'Consent expired', detail: 'to every gp agency' },
    ]);
    const all = words.map((w) => `${w.label} ${w.detail}`).join('\n');
    expect(all).not.toMatch(/ag-|c-1|[{}]|_[a-z]/);
  });
});
