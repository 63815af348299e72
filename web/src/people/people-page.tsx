/**
 * `#/people?q=…`: find a person (the header's search box lands here) and open their
 * record, or start a referral for them.
 */
import type { PersonSummary } from '../../../api/schemas/person.ts';
import { Link } from '../lib/router.tsx';
import { PersonFinder } from './person-finder.tsx';

/** The people page. */
export function PeoplePage({ query }: { query: URLSearchParams }) {
  const initial = query.get('q') ?? '';
  return (
    <section className="page">
      <h1>Find a person</h1>
      <p className="muted">Only people your agency holds, or that are shared with it, are found. Every search is recorded.</p>
      {/* Keyed by the query: a new search from the header starts afresh. */}
      <PersonFinder
        key={initial}
        initial={initial}
        autoRun={initial !== ''}
        action={(p: PersonSummary) => (
          <span className="actions">
            <Link to={`/people/${p.id}`}>Open</Link> · <Link to={`/referrals/new?personId=${p.id}`}>Send a referral</Link>
          </span>
        )}
      />
    </section>
  );
}
