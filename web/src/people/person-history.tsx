/**
 * A person's history, newest first: their record's corrections and each consent's life, in
 * words. It follows the record live (`person.changed`), so a renewal or withdrawal made on the
 * page shows at once.
 */
import { api, listOf } from '../lib/api-client.ts';
import { aboutRecord, useLiveEvents } from '../lib/live.tsx';
import { formatDateTime } from '../lib/format.ts';
import { useResource } from '../lib/use-resource.ts';
import { Empty, Loading, ProblemMessage } from '../components/status.tsx';
import { personHistoryWords, type PersonHistoryEntry } from './person-history-words.ts';

/** The "History" panel of the person page. */
export function PersonHistory({ personId, agencyName }: { personId: string; agencyName: (id: string) => string }) {
  const history = useResource(async (signal) => listOf<PersonHistoryEntry>(await api(`/people/${personId}/timeline`, { signal })), [personId]);
  useLiveEvents(
    ['person.changed'],
    () => history.refresh(),
    200,
    aboutRecord(personId),
  );
  const items = history.data ?? [];
  const words = personHistoryWords(items, agencyName);
  return (
    <div className="panel">
      <h2>History</h2>
      {history.error && <ProblemMessage problem={history.error} onRetry={history.reload} />}
      {history.loading && !history.data && <Loading what="Loading the history" />}
      {history.data && items.length === 0 && <Empty>Nothing recorded yet.</Empty>}
      {items.length > 0 && (
        <ol className="timeline" data-testid="person-history">
          {[...items]
            .sort((a, b) => b.seq - a.seq)
            .map((e) => {
              const w = words.get(e.seq);
              return (
                <li key={e.seq} data-event-type={e.type}>
                  <strong>{w?.label}</strong>
                  <div className="when">{formatDateTime(e.at)}</div>
                  {w?.detail && <p className="payload">{w.detail}</p>}
                </li>
              );
            })}
        </ol>
      )}
    </div>
  );
}
