/**
 * The web app's pure parts, without a browser: the diagram read from the statechart, the
 * colour bands of a stage's wait, and the form values built from the shared schemas.
 */
import { describe, expect, it } from 'vitest';
import { CASE_EVENT_SCHEMAS } from '../../api/schemas/case-events.ts';
import { pathwayMachine, TIMER_EVENT_TYPES } from '../../machines/index.ts';
import { compact, defaultsFor, getAt, setAt } from '../../web/src/forms/form-value.ts';
import { issuesByPath, jsonSchemaOf } from '../../web/src/forms/json-schema.ts';
import { layoutPathway, pathwayEdges } from '../../web/src/manager/pathway-graph.ts';
import { lateBand } from '../../web/src/manager/stage-status.ts';

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

  it('lays every box out without overlaps', () => {
    const d = layoutPathway(pathwayMachine, TIMER_EVENT_TYPES);
    for (const n of d.nodes) {
      expect(Number.isFinite(n.x) && Number.isFinite(n.y)).toBe(true);
      for (const m of d.nodes) {
        if (m === n) continue;
        const apart = Math.abs(n.x - m.x) >= (n.width + m.width) / 2 || Math.abs(n.y - m.y) >= (n.height + m.height) / 2;
        expect(apart, `${n.id} overlaps ${m.id}`).toBe(true);
      }
    }
    expect(d.edges.every((e) => e.points.length >= 2)).toBe(true);
  });
});

describe('how far past target a stage is', () => {
  it('bands the wait against the target, day 21 of 21 within', () => {
    expect(lateBand(0, 40, 21)).toBe('none');
    expect(lateBand(3, 21, 21)).toBe('within');
    expect(lateBand(3, 22, 21)).toBe('near');
    expect(lateBand(3, 26.25, 21)).toBe('near');
    expect(lateBand(3, 27, 21)).toBe('past');
    expect(lateBand(3, 42, 21)).toBe('past');
    expect(lateBand(3, 43, 21)).toBe('far');
    expect(lateBand(3, 100, null)).toBe('within');
  });
});

describe('forms from the shared schemas', () => {
  it('starts a TOP with 0 for 28-day counts and no ratings, so ratings must be asked', () => {
    const js = jsonSchemaOf(schemaOf('TOP_RECORDED'));
    const start = defaultsFor(js) as { top: Record<string, unknown> };
    expect(getAt(start, 'top.substanceDays.alcohol')).toBe(0);
    expect(getAt(start, 'top.sharedEquipment')).toBe(false);
    expect(getAt(start, 'top.psychologicalHealth')).toBeUndefined();
    expect(getAt(start, 'top.recordedOn')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const parsed = schemaOf('TOP_RECORDED').safeParse(compact({ ...start, type: 'TOP_RECORDED', expectedVersion: 3 }));
    expect(parsed.success).toBe(false);
    if (!parsed.success) {
      const issues = issuesByPath(parsed.error);
      expect(issues.get('top.psychologicalHealth')).toBe('This is required');
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
