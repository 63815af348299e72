/**
 * Finding a person: one box for a name (part of it, either order), a date of birth or
 * an identifier, answered by `GET /api/v1/people` (only people this user may see). Used
 * by the people page and by "send a referral", which offers each result to choose.
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { PersonSummary } from '../../../api/schemas/person.ts';
import { api, ApiProblem } from '../lib/api-client.ts';
import { Empty, Loading, ProblemMessage } from '../components/status.tsx';
import { PersonLine } from './person-line.tsx';

/** The query of a search box's text: a date (`1991-03-01` or `01/03/1991`) is a date of birth, anything else is `q`. */
export function searchQueryOf(text: string): Record<string, string> {
  const t = text.trim();
  const uk = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  if (uk) return { dateOfBirth: `${uk[3]}-${uk[2]!.padStart(2, '0')}-${uk[1]!.padStart(2, '0')}` };
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) return { dateOfBirth: t };
  return { q: t };
}

interface Page {
  items: PersonSummary[];
  nextCursor: string | null;
}

/** The search form and its results; `action` renders what to do with each person found. */
export function PersonFinder({
  initial = '',
  autoRun = false,
  action,
  idPrefix = 'find',
}: {
  initial?: string;
  /** Run the initial search at once (a search from the header). */
  autoRun?: boolean;
  action: (person: PersonSummary) => ReactNode;
  idPrefix?: string;
}) {
  const [text, setText] = useState(initial);
  const [results, setResults] = useState<Page | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [loading, setLoading] = useState(false);
  const [searched, setSearched] = useState<Record<string, string> | null>(null);

  async function run(query: Record<string, string>, cursor?: string) {
    setLoading(true);
    setProblem(null);
    try {
      const page = await api<Page>('/people', { query: { ...query, ...(cursor ? { cursor } : {}) } });
      setResults((prev) => (cursor && prev ? { items: [...prev.items, ...page.items], nextCursor: page.nextCursor } : page));
      setSearched(query);
    } catch (err) {
      setProblem(err instanceof ApiProblem ? err : new ApiProblem(0, 'client_error', 'Search failed', 'The search did not finish. Try again.'));
      setResults(null);
    } finally {
      setLoading(false);
    }
  }

  useEffect(() => {
    if (autoRun && initial.trim()) void run(searchQueryOf(initial));
    // Once, for the search the page was opened with (the page is keyed by it).
  }, []);

  return (
    <div className="person-finder">
      <form
        role="search"
        className="inline-fields"
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) void run(searchQueryOf(text));
        }}
      >
        <div className="field">
          <label htmlFor={`${idPrefix}-q`}>Name, date of birth or identifier</label>
          <input id={`${idPrefix}-q`} value={text} onChange={(e) => setText(e.target.value)} placeholder="e.g. Kyle Brennan, 01/03/1991, 943 476 5919" size={36} />
        </div>
        <div className="field">
          <button type="submit" disabled={!text.trim() || loading}>
            Find
          </button>
        </div>
      </form>
      {loading && <Loading what="Searching" />}
      {problem && <ProblemMessage problem={problem} />}
      {results && results.items.length === 0 && <Empty>Nobody you can see matches. Check the spelling, or add the person.</Empty>}
      {results && results.items.length > 0 && (
        <ul className="person-results" aria-label="People found">
          {results.items.map((p) => (
            <PersonLine key={p.id} person={p}>
              {action(p)}
            </PersonLine>
          ))}
        </ul>
      )}
      {results?.nextCursor && searched && (
        <button type="button" className="secondary" onClick={() => void run(searched, results.nextCursor ?? undefined)}>
          Show more
        </button>
      )}
    </div>
  );
}
