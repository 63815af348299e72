/**
 * Attendance reported back, on a referral the user's agency sent: whether the person came
 * to their appointments at the receiving service. It arrives live (`attendance.reported`)
 * and shows only what the API lets the sender read: by consent, or for a custody team the
 * required assessments it imposed.
 */
import { api } from '../lib/api-client.ts';
import { formatDateTime } from '../lib/format.ts';
import { aboutRecord, useLiveEvents } from '../lib/live.tsx';
import { useResource } from '../lib/use-resource.ts';
import { Loading, ProblemMessage } from '../components/status.tsx';
import { APPOINTMENT_KIND_LABELS, APPOINTMENT_STATUS_LABELS, appointmentBadge } from './keywork-labels.ts';
import type { AttendanceReport } from './keywork-types.ts';

/** The attendance panel of a sent referral. */
export function AttendancePanel({ referralId }: { referralId: string }) {
  const reports = useResource(async (signal) => (await api<{ items: AttendanceReport[] }>(`/referrals/${referralId}/attendance`, { signal })).items, [referralId]);
  useLiveEvents(
    ['attendance.reported'],
    () => reports.refresh(),
    100,
    aboutRecord(referralId, ['referralId']),
  );
  return (
    <div className="panel" data-testid="attendance">
      <h2>Attendance reported back</h2>
      {reports.error && <ProblemMessage problem={reports.error} onRetry={reports.reload} />}
      {reports.loading && !reports.data && <Loading what="Loading attendance" />}
      {reports.data && reports.data.length === 0 && <p className="muted">Nothing reported yet. Attendance is shared only where the person agreed, or for a required assessment.</p>}
      {reports.data && reports.data.length > 0 && (
        <ul className="record-list">
          {reports.data.map((r) => (
            <li key={r.appointmentId} data-report={r.status}>
              {APPOINTMENT_KIND_LABELS[r.kind as keyof typeof APPOINTMENT_KIND_LABELS] ?? r.kind}, {formatDateTime(r.startsAt)}:{' '}
              <span className={appointmentBadge(r.status)}>{APPOINTMENT_STATUS_LABELS[r.status]}</span>
              {r.outcome ? ` — ${r.outcome}` : ''}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
