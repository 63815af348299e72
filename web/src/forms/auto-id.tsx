/**
 * An id the app makes up for a new record (a new intervention in a care package). The
 * user never types it; they see that the row is new.
 */
import { useEffect } from 'react';

/** Fills `value` with a fresh UUID once, and shows it as read-only. */
export function AutoId({ id, value, onChange }: { id: string; value: unknown; onChange: (next: unknown) => void }) {
  useEffect(() => {
    if (typeof value !== 'string' || value === '') onChange(crypto.randomUUID());
  }, [value, onChange]);
  const shown = typeof value === 'string' && value ? value.slice(0, 8) : '…';
  return <input id={id} type="text" readOnly value={shown} size={9} aria-readonly="true" title={typeof value === 'string' ? value : undefined} />;
}
