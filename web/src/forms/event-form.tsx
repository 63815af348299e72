/**
 * One action's form: the fields of the event's shared zod schema, checked with that same
 * schema before sending (so the browser and the API agree on every rule), then sent.
 * Problems from the API are shown as words next to the fields they name.
 */
import { useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { z } from 'zod';
import { ApiProblem } from '../lib/api-problem.ts';
import { ProblemMessage } from '../components/status.tsx';
import { compact, defaultsFor, type FormValue } from './form-value.ts';
import { issuesByPath, jsonSchemaOf } from './json-schema.ts';
import { SchemaFields, type FieldOverride } from './schema-fields.tsx';
import { fieldLabel } from './field-words.ts';

/** Envelope fields every event has; the form fills them, not the user. */
const ENVELOPE = new Set(['type', 'expectedVersion', 'effectiveAt', 'backdateReason']);

export interface EventFormProps {
  /** The heading of the form (the action's label). */
  title: string;
  /** The event's own schema from api/schemas (`CASE_EVENT_SCHEMAS[i]`). */
  schema: z.ZodType;
  /** Fixed fields added to the body: `type`, `expectedVersion` (none for plain records). */
  envelope: Record<string, unknown>;
  /** Unique on the page; prefixes element ids (default: the event type). */
  formId?: string;
  /** Fields filled elsewhere on the page (not shown, but validated). */
  hiddenFields?: readonly string[];
  /** Starting values merged over the schema's defaults. */
  initial?: FormValue;
  overrides?: Record<string, FieldOverride>;
  /** Words shown above the fields (what this action does). */
  intro?: ReactNode;
  submitLabel?: string;
  /** Whether to offer "this happened earlier" (effectiveAt + backdateReason). */
  allowBackdate?: boolean;
  /** Sends the validated body; a thrown ApiProblem is shown on the form. */
  onSubmit: (body: Record<string, unknown>) => Promise<void>;
  onCancel: () => void;
}

/** The form for one event. */
export function EventForm(props: EventFormProps) {
  const { title, schema, envelope, overrides, intro, submitLabel, onSubmit, onCancel } = props;
  const js = useMemo(() => jsonSchemaOf(schema), [schema]);
  const [value, setValue] = useState<FormValue>(() => ({ ...(defaultsFor(js) as FormValue), ...(props.initial ?? {}) }));
  const [errors, setErrors] = useState<ReadonlyMap<string, string>>(new Map());
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const [backdate, setBackdate] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const summaryRef = useRef<HTMLDivElement>(null);
  const idPrefix = `ev-${(props.formId ?? (typeof envelope.type === 'string' ? envelope.type : 'form')).toLowerCase()}`;
  const hidden = useMemo(() => new Set([...ENVELOPE, ...(props.hiddenFields ?? [])]), [props.hiddenFields]);
  const hasFields = Object.keys(js.properties ?? {}).some((k) => !hidden.has(k));
  const canBackdate = props.allowBackdate !== false && Boolean(js.properties?.effectiveAt);

  useEffect(() => headingRef.current?.focus(), []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    const body = compact({ ...value, ...envelope, ...(backdate ? {} : { effectiveAt: undefined, backdateReason: undefined }) }) as Record<string, unknown>;
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      setErrors(issuesByPath(parsed.error));
      requestAnimationFrame(() => summaryRef.current?.focus());
      return;
    }
    setErrors(new Map());
    setBusy(true);
    try {
      await onSubmit(body);
    } catch (err) {
      const p = err instanceof ApiProblem ? err : new ApiProblem(0, 'error', 'Error', 'Something went wrong. Try again.');
      setProblem(p);
      setErrors(new Map(p.issues.map((i) => [i.path, i.message])));
      requestAnimationFrame(() => summaryRef.current?.focus());
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="action-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby={`${idPrefix}-title`} data-event-form={props.formId ?? (typeof envelope.type === 'string' ? envelope.type : undefined)}>
      <h3 id={`${idPrefix}-title`} ref={headingRef} tabIndex={-1}>
        {title}
      </h3>
      {intro}
      <div ref={summaryRef} tabIndex={-1}>
        {errors.size > 0 && !problem && (
          <div className="problem error-summary" role="alert">
            <h4 className="error-summary-title">
              {errors.size === 1 ? 'There is a problem with 1 answer' : `There are problems with ${errors.size} answers`}
            </h4>
            <ul>
              {[...errors].map(([path, message]) => {
                const parts = path.split('.');
                const name = parts.at(-1) ?? path;
                const parent = parts.length > 1 ? parts.at(-2) : undefined;
                const fieldId = `${idPrefix}-${path.replace(/\./g, '-')}`;
                return (
                  <li key={path}>
                    <a
                      href={`#${fieldId}`}
                      onClick={(e) => {
                        // Hash links drive the app's router: move focus to the field instead.
                        e.preventDefault();
                        document.getElementById(fieldId)?.focus();
                      }}
                    >
                      {fieldLabel(name, parent && /^\d+$/.test(parent) ? parts.at(-3) : parent)}: {message === 'This is required' ? 'answer this question' : message.charAt(0).toLowerCase() + message.slice(1)}
                    </a>
                  </li>
                );
              })}
            </ul>
          </div>
        )}
        <ProblemMessage problem={problem} />
      </div>
      {!hasFields && <p className="muted">Nothing else to fill in: confirm to record it.</p>}
      <SchemaFields schema={js} value={value} onChange={setValue} errors={errors} hidden={hidden} overrides={overrides} idPrefix={idPrefix} />
      {canBackdate && (
        <div className="field">
          <label className="check">
            <input type="checkbox" checked={backdate} onChange={(e) => setBackdate(e.target.checked)} />
            This happened earlier than now (record it late)
          </label>
        </div>
      )}
      {backdate && (
        <SchemaFields
          schema={{ type: 'object', properties: { effectiveAt: js.properties?.effectiveAt ?? {}, backdateReason: js.properties?.backdateReason ?? {} }, required: ['effectiveAt', 'backdateReason'] }}
          value={value}
          onChange={setValue}
          errors={errors}
          idPrefix={idPrefix}
        />
      )}
      <div className="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : (submitLabel ?? 'Save')}
        </button>
        <button type="button" className="secondary" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
