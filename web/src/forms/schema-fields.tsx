/**
 * Renders form fields for a JSON Schema (from a shared zod schema): selects for coded
 * values, date inputs for dates, number inputs with their bounds, checkboxes for yes/no,
 * fieldsets for nested records, rows for lists. Every input has a label, and its error is
 * tied to it with `aria-describedby`.
 */
import type { ReactNode } from 'react';
import { fieldLabel, valueLabel } from './field-words.ts';
import { defaultsFor, getAt, setAt, type FormValue } from './form-value.ts';
import { typeOf, unwrap, type JsonSchema } from './json-schema.ts';

/** Lets a form replace the input of one field (an intervention picker, a keyworker list). */
export type FieldOverride = (props: {
  id: string;
  name: string;
  path: string;
  value: unknown;
  onChange: (next: unknown) => void;
  describedBy: string | undefined;
  invalid: boolean;
}) => ReactNode;

export interface SchemaFieldsProps {
  schema: JsonSchema;
  value: FormValue;
  onChange: (next: FormValue) => void;
  errors: ReadonlyMap<string, string>;
  /** Top-level fields not to render (the envelope: type, expectedVersion, …). */
  hidden?: ReadonlySet<string>;
  overrides?: Record<string, FieldOverride>;
  /** Prefix for element ids, unique per form on the page. */
  idPrefix: string;
}

function idFor(prefix: string, path: string): string {
  return `${prefix}-${path.replace(/\./g, '-')}`;
}

function ErrorText({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={id} className="error-text">
      {message}
    </p>
  );
}

/** All fields of an object schema. */
export function SchemaFields(props: SchemaFieldsProps) {
  const { schema, hidden } = props;
  const s = unwrap(schema);
  const required = new Set(s.required ?? []);
  return (
    <>
      {Object.entries(s.properties ?? {})
        .filter(([name, prop]) => !hidden?.has(name) && unwrap(prop).const === undefined)
        .map(([name, prop]) => (
          <Field key={name} {...props} name={name} path={name} prop={prop} required={required.has(name)} parent={undefined} />
        ))}
    </>
  );
}

interface FieldProps extends SchemaFieldsProps {
  name: string;
  path: string;
  prop: JsonSchema;
  required: boolean;
  parent: string | undefined;
}

function Field(props: FieldProps) {
  const { name, path, prop, required, value, onChange, errors, idPrefix, overrides, parent } = props;
  const s = unwrap(prop);
  const id = idFor(idPrefix, path);
  const error = errors.get(path);
  const errorId = error ? `${id}-error` : undefined;
  const hintId = s.description ? `${id}-hint` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  const current = getAt(value, path);
  const set = (next: unknown) => onChange(setAt(value, path, next));
  const label = fieldLabel(name, parent);
  const optional = required ? null : <span className="muted"> (optional)</span>;
  const type = typeOf(s);
  const override = overrides?.[name];
  const hint = s.description ? (
    <p id={hintId} className="hint">
      {s.description}
    </p>
  ) : null;

  if (override) {
    return (
      <div className={`field${error ? ' field-error' : ''}`}>
        <label htmlFor={id}>
          {label}
          {optional}
        </label>
        {hint}
        {override({ id, name, path, value: current, onChange: set, describedBy, invalid: Boolean(error) })}
        <ErrorText id={`${id}-error`} message={error} />
      </div>
    );
  }

  if (type === 'object') {
    const present = current !== undefined;
    const inner = unwrap(s);
    const innerRequired = new Set(inner.required ?? []);
    const grid = Object.values(inner.properties ?? {}).every((p) => ['integer', 'number'].includes(typeOf(unwrap(p)) ?? ''));
    return (
      <fieldset className={error ? 'field-error' : undefined} data-field={path}>
        <legend>
          {label}
          {optional}
        </legend>
        {!required && (
          <label className="check">
            <input type="checkbox" checked={present} onChange={(e) => set(e.target.checked ? defaultsFor(s, false) : undefined)} />
            Include {label.charAt(0).toLowerCase() + label.slice(1)}
          </label>
        )}
        <ErrorText id={`${id}-error`} message={error} />
        {(required || present) && (
          <div className={grid ? 'inline-fields' : undefined}>
            {Object.entries(inner.properties ?? {})
              .filter(([, p]) => unwrap(p).const === undefined)
              .map(([childName, childProp]) => (
                <Field
                  key={childName}
                  {...props}
                  name={childName}
                  path={`${path}.${childName}`}
                  prop={childProp}
                  required={innerRequired.has(childName)}
                  parent={name}
                />
              ))}
          </div>
        )}
      </fieldset>
    );
  }

  if (type === 'array' && s.items && unwrap(s.items).enum) {
    const chosen = Array.isArray(current) ? (current as unknown[]).filter((v): v is string => typeof v === 'string') : [];
    const options = (unwrap(s.items).enum ?? []).map(String);
    return (
      <fieldset className={error ? 'field-error' : undefined} data-field={path} aria-describedby={describedBy}>
        <legend>
          {label}
          {optional}
        </legend>
        {hint}
        <div className="inline-fields">
          {options.map((o) => (
            <label key={o} className="check" htmlFor={`${id}-${o}`}>
              <input
                id={`${id}-${o}`}
                type="checkbox"
                checked={chosen.includes(o)}
                onChange={(e) => set(e.target.checked ? [...chosen, o] : chosen.filter((c) => c !== o))}
              />
              {valueLabel(name, o)}
            </label>
          ))}
        </div>
        <ErrorText id={`${id}-error`} message={error} />
      </fieldset>
    );
  }

  if (type === 'array' && s.items) {
    const rows = Array.isArray(current) ? (current as unknown[]) : [];
    const item = unwrap(s.items);
    const itemRequired = new Set(item.required ?? []);
    return (
      <fieldset data-field={path}>
        <legend>
          {label}
          {optional}
        </legend>
        <ErrorText id={`${id}-error`} message={error} />
        {rows.length === 0 && <p className="muted">None yet.</p>}
        {rows.map((_, i) => (
          <div className="row-editor inline-fields" key={i} role="group" aria-label={`${label} ${i + 1}`}>
            {Object.entries(item.properties ?? {}).map(([childName, childProp]) => (
              <Field
                key={childName}
                {...props}
                name={childName}
                path={`${path}.${i}.${childName}`}
                prop={childProp}
                required={itemRequired.has(childName)}
                parent={name}
              />
            ))}
            <button type="button" className="secondary" onClick={() => set(rows.filter((__, j) => j !== i))} aria-label={`Remove ${label.toLowerCase()} ${i + 1}`}>
              Remove
            </button>
          </div>
        ))}
        {(s.maxItems === undefined || rows.length < s.maxItems) && (
          <button type="button" className="secondary" onClick={() => set([...rows, defaultsFor(item)])}>
            Add {label.toLowerCase().replace(/s$/, '')}
          </button>
        )}
      </fieldset>
    );
  }

  let input: ReactNode;
  if (type === 'boolean') {
    return (
      <div className={`field${error ? ' field-error' : ''}`}>
        <label className="check" htmlFor={id}>
          <input id={id} type="checkbox" checked={current === true} onChange={(e) => set(e.target.checked)} aria-describedby={describedBy} />
          {label}
        </label>
        <ErrorText id={`${id}-error`} message={error} />
      </div>
    );
  } else if (s.enum) {
    input = (
      <select id={id} value={typeof current === 'string' || typeof current === 'number' ? String(current) : ''} onChange={(e) => set(e.target.value === '' ? undefined : e.target.value)} aria-describedby={describedBy} aria-invalid={Boolean(error)} required={required}>
        <option value="">{required ? 'Choose…' : 'Not recorded'}</option>
        {s.enum.map((v) => (
          <option key={String(v)} value={String(v)}>
            {valueLabel(name, String(v))}
          </option>
        ))}
      </select>
    );
  } else if (type === 'integer' || type === 'number') {
    input = (
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={s.minimum}
        max={s.maximum !== undefined && s.maximum < 1e9 ? s.maximum : undefined}
        step={type === 'integer' ? 1 : 'any'}
        value={typeof current === 'number' && !Number.isNaN(current) ? current : ''}
        onChange={(e) => set(e.target.value === '' ? undefined : Number(e.target.value))}
        aria-describedby={describedBy}
        aria-invalid={Boolean(error)}
        required={required}
        style={{ width: '7rem' }}
      />
    );
  } else if (type === 'string' && (s.format === 'date' || s.format === 'date-time')) {
    const isDateTime = s.format === 'date-time';
    const shown = typeof current === 'string' ? (isDateTime ? current.slice(0, 16) : current) : '';
    input = (
      <input
        id={id}
        type={isDateTime ? 'datetime-local' : 'date'}
        value={shown}
        onChange={(e) => set(e.target.value === '' ? undefined : isDateTime ? new Date(`${e.target.value}:00Z`).toISOString() : e.target.value)}
        aria-describedby={describedBy}
        aria-invalid={Boolean(error)}
        required={required}
      />
    );
  } else {
    const long = (s.maxLength ?? 0) > 300;
    const common = {
      id,
      value: typeof current === 'string' ? current : '',
      onChange: (e: { target: { value: string } }) => set(e.target.value === '' ? undefined : e.target.value),
      'aria-describedby': describedBy,
      'aria-invalid': Boolean(error),
      required,
      maxLength: s.maxLength,
    };
    input = long ? <textarea {...common} rows={3} /> : <input type="text" {...common} />;
  }
  return (
    <div className={`field${error ? ' field-error' : ''}`}>
      <label htmlFor={id}>
        {label}
        {optional}
      </label>
      {hint}
      {input}
      <ErrorText id={`${id}-error`} message={error} />
    </div>
  );
}
