/**
 * `#/people/:id`: the person's record as this user may see it — who they are, their
 * identifiers, and each consent (agency, categories, given, expires, status) with renew
 * and withdraw, since the person "can withdraw it at any time".
 */
import { useState } from 'react';
import { IDENTIFIER_LABELS, type IdentifierSystem } from '../../../machines/person-identifiers.ts';
import { api, ApiProblem, listOf } from '../lib/api-client.ts';
import { humanise } from '../lib/format.ts';
import { personName } from '../lib/people.ts';
import { Link } from '../lib/router.tsx';
import { useResource } from '../lib/use-resource.ts';
import { Empty, Loading, Notice, ProblemMessage } from '../components/status.tsx';
import type { AgencyView, ConsentView } from '../referrals/referral-types.ts';
import { consentStatus, nextYear } from './consent-status.ts';
import { PersonHistory } from './person-history.tsx';
import { LinkedRecords } from './linked-records.tsx';

/** The person page. */
export function PersonPage({ personId }: { personId: string }) {
  const person = useResource(async (signal) => api<Record<string, unknown>>(`/people/${personId}`, { signal }), [personId]);
  const consents = useResource(async (signal) => listOf<ConsentView>(await api(`/people/${personId}/consents`, { signal })), [personId]);
  const agencies = useResource(async (signal) => listOf<AgencyView>(await api('/agencies', { signal })), []);
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const today = new Date().toISOString().slice(0, 10);

  if (person.loading && !person.data) return <Loading what="Loading the person" />;
  if (person.error) {
    return (
      <section className="page">
        <h1>Person</h1>
        <ProblemMessage problem={person.error} />
        <p>
          <Link to="/people">Find a person</Link>
        </p>
      </section>
    );
  }
  const p = person.data ?? {};
  const holder = (p.access as { scope?: string } | undefined)?.scope === 'holder';
  const identifiers = Array.isArray(p.identifiers) ? (p.identifiers as Array<{ system: IdentifierSystem; value: string }>) : [];
  const agencyName = (c: ConsentView) =>
    c.toAgencyId ? (agencies.data?.find((a) => a.id === c.toAgencyId)?.name ?? 'An agency') : `Every ${humanise(c.toAgencyKind ?? '').toLowerCase()} agency`;

  async function act(path: string, body: Record<string, unknown>, done: string) {
    setProblem(null);
    try {
      await api(path, { body });
      setNotice(done);
      consents.refresh();
    } catch (err) {
      setProblem(err instanceof ApiProblem ? err : new ApiProblem(0, 'client_error', 'Not saved', 'That did not save. Try again.'));
    }
  }

  return (
    <section className="page">
      <h1 data-testid="person-name">{personName(p)}</h1>
      {notice && <Notice>{notice}</Notice>}
      {problem && <ProblemMessage problem={problem} />}
      <div className="panel">
        <p>
          {typeof p.dateOfBirth === 'string' ? <>Born {p.dateOfBirth}</> : null}
          {typeof p.postcodeDistrict === 'string' ? <> · {p.postcodeDistrict}</> : null}
        </p>
        {identifiers.length > 0 && (
          <dl className="identifiers">
            {identifiers.map((i) => (
              <div key={`${i.system}-${i.value}`}>
                <dt>{IDENTIFIER_LABELS[i.system] ?? i.system}</dt>
                <dd>{i.value}</dd>
              </div>
            ))}
          </dl>
        )}
        <p>
          <Link to={`/referrals/new?personId=${personId}`}>Send a referral for this person</Link>
        </p>
      </div>
      <div className="panel">
        <h2>Consents</h2>
        {consents.loading && !consents.data ? (
          <Loading what="Loading consents" />
        ) : consents.error ? (
          <ProblemMessage problem={consents.error} onRetry={consents.reload} />
        ) : (consents.data ?? []).length === 0 ? (
          <Empty>No consent recorded.</Empty>
        ) : (
          <div className="table-wrap">
            <table data-testid="consents">
              <thead>
                <tr>
                  <th scope="col">Shared with</th>
                  <th scope="col">What</th>
                  <th scope="col">Given</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {(consents.data ?? []).map((c) => {
                  const status = consentStatus(c, today);
                  return (
                    <tr key={c.id} data-consent-status={status.code}>
                      <td>{agencyName(c)}</td>
                      <td>{c.categories.map((k) => humanise(k).toLowerCase()).join(', ')}</td>
                      <td>{c.givenOn}</td>
                      <td>{c.validUntil ?? 'no end date'}</td>
                      <td>{status.label}</td>
                      <td>
                        {holder && status.code !== 'withdrawn' && (
                          <button type="button" className="secondary" onClick={() => void act(`/people/${personId}/consents/${c.id}/renew`, { validUntil: nextYear(today) }, `Consent renewed until ${nextYear(today)}.`)}>
                            Renew for a year
                          </button>
                        )}{' '}
                        {(status.code === 'active' || status.code === 'expiring') && (
                          <button
                            type="button"
                            className="secondary"
                            onClick={() => {
                              if (window.confirm(`Withdraw this consent? From now on nothing new is shared with ${agencyName(c)}.`)) {
                                void act(`/people/${personId}/consents/${c.id}/withdraw`, { reason: 'The person withdrew their consent' }, 'Consent withdrawn.');
                              }
                            }}
                          >
                            Withdraw
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </div>
      <LinkedRecords personId={personId} />
      <PersonHistory personId={personId} agencyName={(id) => agencies.data?.find((a) => a.id === id)?.name ?? 'another agency'} />
    </section>
  );
}
