/**
 * The top-level stage of a state as the event log stores it: a state name (`screening`),
 * a dotted path (`inTreatment.active`) or a JSON state value (`{"inTreatment":"active"}`).
 */
export function stageOfStoredState(text: string | null): string | null {
  if (text === null || text === '') return null;
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('"')) {
    try {
      const value = JSON.parse(trimmed) as unknown;
      if (typeof value === 'string') return value.split('.')[0] ?? value;
      if (value && typeof value === 'object') return Object.keys(value)[0] ?? null;
    } catch {
      // Not JSON after all: fall through to the plain-name reading.
    }
  }
  return trimmed.split('.')[0] ?? trimmed;
}
