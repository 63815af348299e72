/**
 * Send a referral: find the person (or add them, warned of look-alikes first), choose the receiving agency and the kind of
 * referral, see the consent check, record consent if it is missing, then send. A refusal
 * for missing consent (422 consent_required) is explained in words, naming what is missing.
 */
import { useMemo, useState } from 'react';
import { createConsentBody } from '../../../api/schemas/consent.ts';
import { createReferralBody } from '../../../api/schemas/referral.ts';
import { REFERRAL_KINDS, type ReferralKind } from '../../../machines/referral-kinds.ts';
import { REFERRAL_KIND_CATEGORIES } from '../../../machines/referral-consent.ts';
import { api, ApiProblem, listOf } from '../lib/api-client.ts';
import { humanise } from '../lib/format.ts';
import { personName } from '../lib/people.ts';
import { navigate } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import { useResource } from '../lib/use-resource.ts';
import { Loading, Notice, ProblemMessage } from '../components/status.tsx';
import { EventForm } from '../forms/event-form.tsx';
import { ConsentCheck, consentCoverage } from './consent-check.tsx';
import { AddPersonForm } from '../people/add-person-form.tsx';
import { PersonFinder } from '../people/person-finder.tsx';
import type { AgencyView, ConsentView, ReferralView } from './referral-types.ts';

/** Explains a 422 consent_required in words, naming what is missing. */
function consentProblem(p: ApiProblem, agency: AgencyView | undefined): ApiProblem {
  if (p.code !== 'consent_required') return p;
  // `missing` is `{categories, needed, explicit, …}` (older servers sent a bare list).
  const raw = p.details.missing;
  const list: unknown = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? (raw as { categories?: unknown }).categories : [];
  const missing = Array.isArray(list) ? list.filter((m): m is string => typeof m === 'string').map((m) => humanise(m).toLowerCase()) : [];
  const text = `Not sent: the person has not consented to share ${missing.length ? missing.join(', ') : 'this information'} with ${agency?.name ?? 'that agency'}. Record their consent first, or use the safeguarding override if someone is at risk.`;
  return new ApiProblem(p.status, p.code, p.title, text, p.details);
}

/** The send-referral page. */
export function SendReferralPage({ query }: { query: URLSearchParams }) {
  const { user } = useSession();
  const [personId, setPersonId] = useState<string>(query.get('personId') ?? '');
  const [addingPerson, setAddingPerson] = useState(false);
  const [toAgencyId, setToAgencyId] = useState('');
  const [kind, setKind] = useState<ReferralKind>('treatment');
  const [recordingConsent, setRecordingConsent] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const caseId = query.get('caseId') ?? undefined;

  const agencies = useResource(async (signal) => listOf<AgencyView>(await api('/agencies', { signal })), []);
  const person = useResource(async (signal) => (personId ? api<Record<string, unknown>>(`/people/${personId}`, { signal }) : null), [personId]);
  const consents = useResource(async (signal) => (personId ? listOf<ConsentView>(await api(`/people/${personId}/consents`, { signal })) : []), [personId]);

  const others = (agencies.data ?? []).filter((a) => a.id !== user?.agencyId && (!user?.agency?.area || a.area === user.agency.area));
  const agency = others.find((a) => a.id === toAgencyId);
  const fromKind = user?.agency?.kind ?? '';
  const coverage = useMemo(() => (agency && consents.data ? consentCoverage(consents.data, agency, kind, fromKind) : null), [agency, consents.data, kind, fromKind]);

  return (
    <section className="page">
      <h1>Send a referral</h1>
      {notice && <Notice>{notice}</Notice>}

      <div className="panel">
        <h2>1. Person</h2>
        {personId ? (
          <>
            {person.loading && <Loading what="Loading the person" />}
            {person.error && (
              <>
                <ProblemMessage problem={person.error} />
                {/* A wrong or hidden person never leaves the page stuck: find someone else. */}
                <button type="button" className="secondary" onClick={() => setPersonId('')}>
                  Find the person
                </button>
              </>
            )}
            {person.data && (
              <p>
                <strong data-testid="referral-person">{personName(person.data)}</strong>
                {typeof person.data.dateOfBirth === 'string' ? <span className="muted"> · born {person.data.dateOfBirth}</span> : null}{' '}
                <button type="button" className="link" onClick={() => setPersonId('')}>
                  Choose someone else
                </button>
              </p>
            )}
          </>
        ) : addingPerson ? (
          <AddPersonForm
            onAdded={(id, chosen) => {
              setAddingPerson(false);
              setPersonId(id);
              setNotice(chosen ? 'Using the person already on record. Check their consent, then send the referral.' : 'Person added. Record their consent, then send the referral.');
            }}
            onCancel={() => setAddingPerson(false)}
          />
        ) : (
          <>
            <PersonFinder
              idPrefix="s-person"
              action={(p) => (
                <button type="button" className="secondary" onClick={() => setPersonId(p.id)}>
                  Choose
                </button>
              )}
            />
            <p>
              Not on record yet?{' '}
              <button type="button" onClick={() => setAddingPerson(true)}>
                Add a new person
              </button>
            </p>
          </>
        )}
      </div>

      <div className="panel">
        <h2>2. Where to, and what for</h2>
        <div className="inline-fields">
          <div className="field">
            <label htmlFor="s-agency">Receiving agency</label>
            <select id="s-agency" value={toAgencyId} onChange={(e) => setToAgencyId(e.target.value)}>
              <option value="">Choose…</option>
              {others.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name} ({humanise(a.kind).toLowerCase()})
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="s-kind">Kind of referral</label>
            <select id="s-kind" value={kind} onChange={(e) => setKind(e.target.value as ReferralKind)}>
              {REFERRAL_KINDS.map((k) => (
                <option key={k} value={k}>
                  {humanise(k)}
                </option>
              ))}
            </select>
          </div>
        </div>
      </div>

      <div className="panel">
        <h2>3. Consent check</h2>
        {!personId || !agency ? (
          <p className="muted">Choose the person and the receiving agency to check consent.</p>
        ) : consents.loading ? (
          <Loading what="Checking consent" />
        ) : consents.error ? (
          <ProblemMessage problem={consents.error} onRetry={consents.reload} />
        ) : (
          <>
            <ConsentCheck consents={consents.data ?? []} agency={agency} kind={kind} fromKind={fromKind} />
            {coverage && coverage.missing.length > 0 && !recordingConsent && (
              <button type="button" className="secondary" onClick={() => setRecordingConsent(true)}>
                Record the person’s consent
              </button>
            )}
            {recordingConsent && (
              <EventForm
                formId="consent"
                title={`Consent to share with ${agency.name}`}
                schema={createConsentBody}
                envelope={{ toAgencyId: agency.id }}
                hiddenFields={['toAgencyId', 'toAgencyKind']}
                initial={{ categories: [...REFERRAL_KIND_CATEGORIES[kind]], purpose: `${humanise(kind)} referral to ${agency.name}` }}
                allowBackdate={false}
                intro={<p className="hint">Record only what the person has agreed to, for this purpose. They can withdraw it at any time. Leave “Valid until” empty for the service’s usual term (12 months unless set otherwise).</p>}
                submitLabel="Record consent"
                onSubmit={async (body) => {
                  await api(`/people/${personId}/consents`, { body });
                  setRecordingConsent(false);
                  setNotice('Consent recorded.');
                  consents.refresh();
                }}
                onCancel={() => setRecordingConsent(false)}
              />
            )}
          </>
        )}
      </div>

      {personId && agency && (
        <div className="panel">
          <h2>4. Send</h2>
          <EventForm
            key={`${agency.id}-${kind}`}
            formId="referral"
            title={`${humanise(kind)} referral to ${agency.name}`}
            schema={createReferralBody}
            envelope={{ personId, toAgencyId: agency.id, kind, ...(caseId ? { caseId } : {}) }}
            // A release date is for a prison's referral on release only; anyone else is never asked for one
            // (an optional date would otherwise start filled in with today, and be refused).
            hiddenFields={['personId', 'toAgencyId', 'kind', 'caseId', ...(kind === 'treatment' ? [] : ['referralSource']), ...(fromKind === 'prison' ? [] : ['releasedOn'])]}
            initial={{ urgency: 'routine', ...(fromKind === 'prison' ? {} : { releasedOn: undefined }) }}
            allowBackdate={false}
            intro={
              coverage && coverage.missing.length > 0 ? (
                <p className="hint">Consent is missing: sending will be refused unless you record consent above or give a safeguarding justification.</p>
              ) : undefined
            }
            submitLabel="Send referral"
            onSubmit={async (body) => {
              try {
                const sent = await api<ReferralView>('/referrals', { body });
                navigate(`/referrals/${sent.id}`);
              } catch (err) {
                throw err instanceof ApiProblem ? consentProblem(err, agency) : err;
              }
            }}
            onCancel={() => navigate('/referrals?box=outbox')}
          />
        </div>
      )}
    </section>
  );
}
