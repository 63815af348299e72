/** Every event of a journey, newest first: what happened, when, who, and how the stage moved. */
import { formatDateTime } from '../lib/format.ts';
import { stateValueLabel } from '../lib/labels.ts';
import { Empty } from '../components/status.tsx';
import type { TimelineEntry } from './case-types.ts';
import { timelineWords, type TimelineNames } from './timeline-details.ts';

function stateLabel(dotted: string | null): string {
  if (!dotted) return '';
  const [top, child] = dotted.split('.');
  return stateValueLabel(child ? { [top ?? '']: child } : top);
}

/** The timeline list. */
export function CaseTimeline({ items, userName, agencyName }: { items: TimelineEntry[]; userName: (id: string | null) => string; agencyName: TimelineNames['agency'] }) {
  if (items.length === 0) return <Empty>No events yet.</Empty>;
  const newestFirst = [...items].sort((a, b) => b.seq - a.seq);
  const words = timelineWords(items, { staff: userName, agency: agencyName });
  return (
    <ol className="timeline" data-testid="timeline">
      {newestFirst.map((e) => {
        const moved = e.fromState !== e.toState && e.fromState !== null;
        const timer = e.userId === null && e.type !== 'CASE_OPENED';
        const w = words.get(e.seq);
        return (
          <li key={e.seq} className={timer ? 'timer' : undefined} data-event-type={e.type}>
            <strong>{w?.label}</strong>
            {moved && (
              <span className="muted">
                {' '}
                · {stateLabel(e.fromState)} → {stateLabel(e.toState)}
              </span>
            )}
            <div className="when">
              {formatDateTime(e.effectiveAt)} · {timer ? 'timer' : userName(e.userId)}
              {e.backdateReason ? ` · recorded ${formatDateTime(e.recordedAt)} (late: ${e.backdateReason})` : ''}
            </div>
            {w?.detail && <p className="payload">{w.detail}</p>}
          </li>
        );
      })}
    </ol>
  );
}
