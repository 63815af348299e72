/**
 * A state value as one readable string for the event log and error messages:
 * `{ inTreatment: 'active' }` → `inTreatment.active`; parallel regions are joined with `,`.
 */
import type { StateValue } from 'xstate';

export function stateLabel(value: StateValue): string {
  if (typeof value === 'string') return value;
  const parts: string[] = [];
  for (const key of Object.keys(value)) {
    const child = value[key];
    parts.push(child === undefined || (typeof child === 'object' && Object.keys(child).length === 0) ? key : `${key}.${stateLabel(child)}`);
  }
  return parts.join(',');
}
