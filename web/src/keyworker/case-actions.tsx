/**
 * The actions a user may take on a journey now: one button per event in the API's
 * `allowedEvents` (only what the journey accepts now), each opening a form built from that
 * event's shared zod schema, narrowed to the values in `eventOptions` (discharge reasons,
 * screening outcomes, the interventions that can take this step).
 * A conflict (someone else moved the journey) is explained and the page refreshed.
 */
import { useEffect, useMemo, useState } from 'react';
import { CASE_EVENT_SCHEMAS } from '../../../api/schemas/case-events.ts';
import { api, ApiProblem } from '../lib/api-client.ts';
import { eventActionLabel } from '../lib/labels.ts';
import { valueLabel } from '../forms/field-words.ts';
import { EventForm } from '../forms/event-form.tsx';
import { AutoId } from '../forms/auto-id.tsx';
import { narrowToAccepted } from '../forms/accepted-values.ts';
import { defaultsFor, type FormValue } from '../forms/form-value.ts';
import { jsonSchemaOf } from '../forms/json-schema.ts';
import type { FieldOverride } from '../forms/schema-fields.tsx';
import type { CaseView, InterventionView } from './case-types.ts';
import { groupedActions, nextStep } from './next-step.ts';

const ORDER = CASE_EVENT_SCHEMAS.map((s) => s.shape.type.value as string);
const SCHEMA_BY_TYPE = new Map<string, (typeof CASE_EVENT_SCHEMAS)[number]>(CASE_EVENT_SCHEMAS.map((s) => [s.shape.type.value, s]));

/** Which intervention states each intervention event applies to (when the API sends no `eventOptions`). */
const INTERVENTION_FROM: Record<string, readonly string[]> = {
  INTERVENTION_OFFERED: ['referred'],
  INTERVENTION_STARTED: ['offered'],
  INTERVENTION_ENDED: ['started'],
};

const INTROS: Record<string, string> = {
  SCREENING_COMPLETED: 'Brief advice closes the journey with an unsuccessful discharge reason (default: no appropriate treatment).',
  CARE_PLAN_AGREED: 'List every intervention in the package. Interventions already started or ended stay in it whatever you list.',
  INTERVENTION_STARTED: 'The first intervention start begins treatment and stops the 21-day waiting clock.',
  DISCHARGED:
    'A successful completion (completed – free of dependence, or occasional user) needs an exit TOP, here or recorded earlier in this episode; it leads to recovery check-ups. Any other reason closes the journey.',
  RELAPSE_REPORTED: 'Rapid re-entry: the last care package and keyworker are restored, screening and assessment are skipped, and the re-presentation is counted.',
  REENTRY_CONFIRMED: 'Confirms the re-entry: the journey goes back to care planning with the last care package.',
  REVIEW_COMPLETED: 'Records the six-monthly review with its TOP; the 182-day review clock restarts.',
  RELEASED_FROM_CUSTODY: 'Starts the 21-day continuity-of-care clock: community treatment should engage the person within 21 days.',
};

function topKindFor(type: string, c: CaseView): string | undefined {
  if (type === 'REVIEW_COMPLETED') return 'review';
  if (type === 'CHECKUP_COMPLETED') return 'post_exit';
  if (type === 'TOP_RECORDED') return c.stage === 'recoveryCheckups' ? 'post_exit' : (c.tops?.length ?? 0) === 0 ? 'start' : 'review';
  return undefined;
}

/** Starting values that fit the journey (existing package, the right TOP kind). */
function initialFor(type: string, c: CaseView): FormValue {
  const schema = SCHEMA_BY_TYPE.get(type);
  if (!schema) return {};
  const js = jsonSchemaOf(schema);
  if (type === 'CARE_PLAN_AGREED') {
    const current = (c.carePackage?.interventions ?? []).filter((i) => i.status !== 'started' && i.status !== 'ended');
    return { interventions: current.length ? current.map((i) => ({ id: i.id, modality: i.modality })) : [{}] };
  }
  const kind = topKindFor(type, c);
  if (kind && js.properties?.top) return { top: { ...(defaultsFor(js.properties.top) as FormValue), kind } };
  return {};
}

export interface CaseActionsProps {
  c: CaseView;
  keyworkers: Array<{ id: string; name: string }>;
  /** Open this action's form (set by the care package panel's edit button). */
  open: string | null;
  setOpen: (type: string | null) => void;
  /** Called with true as a save is sent and with false once it has answered (after `onDone` or `onConflict`). */
  onSaving: (saving: boolean) => void;
  /** Called with the journey after a successful event. */
  onDone: (next: CaseView, type: string) => void;
  /** Called when the journey moved under us (409): the page refetches. */
  onConflict: (problem: ApiProblem) => void;
}

/** The actions panel. */
export function CaseActions({ c, keyworkers, open, setOpen, onSaving, onDone, onConflict }: CaseActionsProps) {
  // The journey's own order: the next step first, custody and admin last.
  const allowed = c.allowedEvents.filter((t) => SCHEMA_BY_TYPE.has(t)).sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
  const [formKey, setFormKey] = useState(0);
  // The version the user saw when they opened the form: if someone else moves the journey
  // meanwhile, saving must answer 409 rather than silently apply to the newer version.
  const [openedVersion, setOpenedVersion] = useState(c.version);
  useEffect(() => {
    if (open) setOpenedVersion(c.version);
    // Only when a form opens, not when the journey refreshes under it.
  }, [open, formKey]);

  const overrides = useMemo<Record<string, FieldOverride>>(() => {
    const interventionPicker: FieldOverride = ({ id, value, onChange, describedBy, invalid }) => {
      const states = open ? (INTERVENTION_FROM[open] ?? []) : [];
      // The journey says which interventions accept this step now; the status rule is the fallback.
      const accepted = open ? c.eventOptions?.[open]?.interventionId : undefined;
      const options: InterventionView[] = (c.carePackage?.interventions ?? c.interventions ?? []).filter((i) =>
        accepted ? accepted.includes(i.id) : states.includes(i.status),
      );
      return (
        <select id={id} value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.target.value || undefined)} aria-describedby={describedBy} aria-invalid={invalid}>
          <option value="">{options.length ? 'Choose…' : 'No intervention can take this step'}</option>
          {options.map((i) => (
            <option key={i.id} value={i.id}>
              {valueLabel('modality', i.modality)} ({i.status})
            </option>
          ))}
        </select>
      );
    };
    const keyworkerPicker: FieldOverride = ({ id, value, onChange, describedBy, invalid }) => (
      <select id={id} value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.target.value || undefined)} aria-describedby={describedBy} aria-invalid={invalid}>
        <option value="">Choose…</option>
        {keyworkers.map((k) => (
          <option key={k.id} value={k.id}>
            {k.name}
            {k.id === c.keyworkerId ? ' (current)' : ''}
          </option>
        ))}
      </select>
    );
    const autoId: FieldOverride = ({ id, value, onChange }) => <AutoId id={id} value={value} onChange={onChange} />;
    return { interventionId: interventionPicker, keyworkerId: keyworkerPicker, id: autoId };
  }, [c, keyworkers, open]);

  const base = open ? SCHEMA_BY_TYPE.get(open) : undefined;
  const accepted = open ? c.eventOptions?.[open] : undefined;
  const schema = useMemo(() => (base ? narrowToAccepted(base, accepted) : undefined), [base, accepted]);

  const send = async (body: Record<string, unknown>) => {
    onSaving(true);
    try {
      const next = await api<CaseView>(`/cases/${c.id}/events`, { body });
      setOpen(null);
      onDone(next, String(body.type));
    } catch (err) {
      if (err instanceof ApiProblem && (err.code === 'version_conflict' || err.code === 'invalid_transition')) {
        setOpen(null);
        onConflict(err);
        return;
      }
      throw err;
    } finally {
      onSaving(false);
    }
  };

  if (allowed.length === 0) {
    return (
      <div className="panel" data-testid="case-actions">
        <h2>Actions</h2>
        <p className="muted">{c.closedAt ? 'This journey is closed.' : 'There is nothing you can record on this journey now.'}</p>
      </div>
    );
  }

  return (
    <div className="panel" data-testid="case-actions">
      <h2>Actions</h2>
      {(() => {
        const primary = nextStep(allowed, c.state);
        const button = (t: string, main: boolean) => (
          <button
            key={t}
            type="button"
            className={main || open === t ? undefined : 'secondary'}
            aria-expanded={open === t}
            data-action={t}
            data-primary={main ? 'true' : undefined}
            onClick={() => {
              setFormKey((k) => k + 1);
              setOpen(open === t ? null : t);
            }}
          >
            {eventActionLabel(t)}
          </button>
        );
        return (
          <>
            {primary && (
              <div className="next-step" data-testid="next-step">
                <h3>Next step</h3>
                {button(primary, true)}
              </div>
            )}
            {groupedActions(allowed, primary).map((g) => (
              <div key={g.label} className="actions" role="group" aria-label={g.label}>
                <span className="actions-label">{g.label}</span>
                {g.types.map((t) => button(t, false))}
              </div>
            ))}
          </>
        );
      })()}
      {open && schema && (
        <EventForm
          key={`${open}-${formKey}`}
          title={eventActionLabel(open)}
          schema={schema}
          envelope={{ type: open, expectedVersion: openedVersion }}
          initial={initialFor(open, c)}
          overrides={overrides}
          intro={INTROS[open] ? <p className="hint">{INTROS[open]}</p> : undefined}
          submitLabel={eventActionLabel(open)}
          onSubmit={send}
          onCancel={() => setOpen(null)}
        />
      )}
    </div>
  );
}
