/**
 * The follow-up rules for a did-not-attend, read-only: they are set where the service is
 * run (`PATHWAYS_FOLLOW_UP_WORKING_DAYS`, `PATHWAYS_REVIEW_AFTER_MISSED`,
 * `PATHWAYS_MISSED_WINDOW_DAYS`), so the panel says what is in force and where it is changed.
 */
import type { z } from 'zod';
import type { settingsSchema } from '../../../api/schemas/settings.ts';
import { api } from '../lib/api-client.ts';
import { useResource } from '../lib/use-resource.ts';
import { Loading, ProblemMessage } from '../components/status.tsx';

type Settings = z.infer<typeof settingsSchema>;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The "Follow-up rules" panel. */
export function FollowUpRules() {
  const settings = useResource((signal) => api<Settings>('/settings', { signal }), []);
  const f = settings.data?.followUp;
  return (
    <div className="panel" data-testid="follow-up-rules">
      <h2>Follow-up rules</h2>
      {settings.error && <ProblemMessage problem={settings.error} onRetry={settings.reload} />}
      {settings.loading && !f && <Loading what="Loading the follow-up rules" />}
      {f && (
        <>
          <dl className="facts">
            <dt>After a did-not-attend</dt>
            <dd data-rule="follow-up">Re-engage within {plural(f.followUpWorkingDays, 'working day', 'working days')} (a follow-up task for the keyworker)</dd>
            <dt>Case review</dt>
            <dd data-rule="case-review">
              After {plural(f.reviewAfterMissed, 'missed appointment', 'missed appointments')} in {plural(f.missedWindowDays, 'day', 'days')}
            </dd>
          </dl>
          <p className="hint">
            Set where the service is run (PATHWAYS_FOLLOW_UP_WORKING_DAYS, PATHWAYS_REVIEW_AFTER_MISSED, PATHWAYS_MISSED_WINDOW_DAYS; see the README). Each did-not-attend keeps the rules it
            was recorded under.
          </p>
        </>
      )}
    </div>
  );
}
