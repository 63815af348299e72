/**
 * Who may see a journey is written twice, for speed: the row check (`caseScope`,
 * src/access/record-access.ts) and the list's SQL (`listVisibleCases`,
 * src/journeys/journey-queries.ts, in both its sparse and dense plans). This proves they
 * agree on every case of the sharing rule: each kind of referral relation (none, sent,
 * received, ended, received under a safeguarding override) × each kind of consent (none,
 * naming the agency, naming its kind, withdrawn, expired, not yet given, naming another
 * agency), for several viewers, the lead agency included. A journey is listed exactly
 * when the row check lets the viewer see it and sharing has not ended with a withdrawal.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseScope } from '../../src/access/record-access.ts';
import type { Viewer } from '../../src/access/viewer.ts';
import { listVisibleCases } from '../../src/journeys/journey-queries.ts';
import { addPerson } from '../metrics/cohort-builder.ts';
import { DIALECTS } from '../support/stores.ts';
import { createApiHarness, makeAgency, type ApiHarness } from '../support/api.ts';

const REFERRALS = ['none', 'sent', 'received', 'rejected', 'cancelled', 'override'] as const;
const CONSENTS = ['none', 'byId', 'byKind', 'withdrawn', 'expired', 'future', 'otherAgency'] as const;

describe.each(DIALECTS)('access rule: row check and list SQL agree on %s', (dialect) => {
  let h: ApiHarness;
  let lead: { id: string; kind: string; area: string };
  let viewers: Array<{ id: string; kind: string; area: string }>;
  const today = '2026-03-02';

  beforeAll(async () => {
    h = await createApiHarness(dialect);
    lead = await makeAgency(h, 'treatment_provider');
    viewers = [await makeAgency(h, 'probation'), await makeAgency(h, 'housing'), await makeAgency(h, 'jobcentre_plus')];
    const bystander = await makeAgency(h, 'housing');
    const actorOf = (agencyId: string) => ({ userId: null, agencyId });
    const db = h.store.db;
    for (const viewer of viewers) {
      for (const referral of REFERRALS) {
        for (const consent of CONSENTS) {
          const personId = await addPerson(db, lead.id);
          await h.engine.openCase({ personId, leadAgencyId: lead.id, referralSource: 'self', referredOn: today, actor: actorOf(lead.id) });
          if (referral !== 'none') {
            const fromViewer = referral === 'sent';
            const from = fromViewer ? viewer.id : lead.id;
            const to = fromViewer ? lead.id : viewer.id;
            const opened = await h.engine.openReferral({
              personId,
              fromAgencyId: from,
              fromUserId: null,
              toAgencyId: to,
              kind: 'housing',
              reason: 'Agreement case',
              urgency: 'routine',
              ...(referral === 'override' ? { safeguardingOverride: { justification: 'Immediate risk to a child at home.', by: 'test', at: h.clock.now().toISOString() } } : {}),
              actor: actorOf(from),
            });
            if (referral === 'rejected') {
              await h.engine.apply({ stream: 'referral', id: opened.row.id, event: { type: 'REFERRAL_REJECTED', reason: 'No capacity' }, expectedVersion: 1, actor: actorOf(to) });
            }
            if (referral === 'cancelled') {
              await h.engine.apply({ stream: 'referral', id: opened.row.id, event: { type: 'REFERRAL_CANCELLED', reason: 'Sent in error' }, expectedVersion: 1, actor: actorOf(from) });
            }
          }
          if (consent !== 'none') {
            await db
              .insertInto('consents')
              .values({
                id: randomUUID(),
                person_id: personId,
                to_agency_id: consent === 'byKind' ? null : consent === 'otherAgency' ? bystander.id : viewer.id,
                to_agency_kind: consent === 'byKind' ? viewer.kind : null,
                categories: JSON.stringify(['identity', 'housing']),
                purpose: 'Agreement case',
                given_on: consent === 'future' ? '2026-03-10' : '2026-01-01',
                valid_until: consent === 'expired' ? '2026-03-01' : null,
                recorded_by: 'test',
                recorded_at: '2026-01-01T00:00:00.000Z',
                withdrawn_at: consent === 'withdrawn' ? '2026-03-02T10:30:00.000Z' : null,
                withdrawn_by: consent === 'withdrawn' ? 'test' : null,
                withdrawal_reason: null,
              })
              .execute();
          }
        }
      }
    }
    // Later journey events than the withdrawal, so the row check's frozen view is exercised.
    h.clock.set('2026-03-02T11:00:00.000Z');
  }, 120_000);
  afterAll(async () => {
    await h.close();
  });

  it('lists exactly the journeys the row check shows live, for every viewer, relation and consent', async () => {
    const db = h.store.db;
    const rows = await db.selectFrom('cases').selectAll().execute();
    expect(rows).toHaveLength(viewers.length * REFERRALS.length * CONSENTS.length);
    const checked = { visible: 0, frozen: 0, hidden: 0 };
    for (const agency of [lead, ...viewers]) {
      const viewer: Viewer = { userId: 'test', role: 'referrer', agencyId: agency.id, agencyKind: agency.kind, agencyArea: agency.area };
      const expected = new Set<string>();
      for (const row of rows) {
        const scope = await caseScope(db, viewer, row, today);
        if (scope && !scope.sharedUntil) expected.add(row.id);
        checked[scope ? (scope.sharedUntil ? 'frozen' : 'visible') : 'hidden'] += 1;
      }
      for (const dense of [0, 1_000_000]) {
        const listed = await listVisibleCases(db, viewer, today, { limit: 1000 }, { denseReferrals: dense });
        expect(new Set(listed.map((r) => r.id)), `${agency.kind} with the ${dense === 0 ? 'dense' : 'sparse'} plan`).toEqual(expected);
      }
    }
    // Every outcome of the rule was exercised.
    expect(checked.visible).toBeGreaterThan(rows.length);
    expect(checked.frozen).toBeGreaterThan(0);
    expect(checked.hidden).toBeGreaterThan(0);
  });
});
