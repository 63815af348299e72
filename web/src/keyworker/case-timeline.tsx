/** Every event of a journey, newest first: what happened, when, who, and how the stage moved. */
import { formatDate, formatDateTime, humanise } from '../lib/format.ts';
import { eventFactLabel, stateValueLabel } from '../lib/labels.ts';
import { valueLabel } from '../forms/field-words.ts';
import { Empty } from '../components/status.tsx';
import type { TimelineEntry } from './case-types.ts';

const SHOWN = ['outcome', 'reason', 'dischargeReason', 'exitStatus', 'modality', 'reportedOn', 'releasedOn', 'custodyOn', 'engagedOn', 'startedOn', 'offeredOn', 'endedOn', 'dischargedOn', 'reviewedOn', 'checkupOn'];

function summary(e: TimelineEntry): string {
  const p = e.payload;
  const parts: string[] = [];
  for (const k of SHOWN) {
    const v = p[k];
    if (typeof v === 'string') parts.push(k.endsWith('On') ? `${humanise(k)} ${formatDate(v)}` : valueLabel(k, v));
  }
  if (Array.isArray(p.interventions)) {
    parts.push(
      (p.interventions as Array<{ modality?: string }>)
        .map((i) => (i.modality ? valueLabel('modality', i.modality) : ''))
        .filter(Boolean)
        .join(', '),
    );
  }
  if (p.top && typeof p.top === 'object') parts.push('with TOP');
  if (p.exitTop && typeof p.exitTop === 'object') parts.push('with exit TOP');
  return parts.filter(Boolean).join(' · ');
}

function stateLabel(dotted: string | null): string {
  if (!dotted) return '';
  const [top, child] = dotted.split('.');
  return stateValueLabel(child ? { [top ?? '']: child } : top);
}

/** The timeline list. */
export function CaseTimeline({ items, userName }: { items: TimelineEntry[]; userName: (id: string | null) => string }) {
  if (items.length === 0) return <Empty>No events yet.</Empty>;
  const newestFirst = [...items].sort((a, b) => b.seq - a.seq);
  return (
    <ol className="timeline" data-testid="timeline">
      {newestFirst.map((e) => {
        const moved = e.fromState !== e.toState && e.fromState !== null;
        const timer = e.userId === null && e.type !== 'CASE_OPENED';
        return (
          <li key={e.seq} className={timer ? 'timer' : undefined} data-event-type={e.type}>
            <strong>{eventFactLabel(e.type)}</strong>
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
            {summary(e) && <p className="payload">{summary(e)}</p>}
          </li>
        );
      })}
    </ol>
  );
}
