/**
 * The error summary of the NHS design system: "There is a problem", then one link per
 * field that needs attention, each moving focus to that field. It takes focus itself when
 * it appears, so keyboard and screen-reader users start from the list of what to fix.
 */
import { useEffect, useRef } from 'react';

/** One field to fix: its element id and what is wrong, said specifically. */
export interface FieldProblem {
  fieldId: string;
  message: string;
}

/** The summary; renders nothing when there is nothing to fix. */
export function ErrorSummary({ problems, detail }: { problems: readonly FieldProblem[]; detail?: string | null }) {
  const ref = useRef<HTMLDivElement>(null);
  const shown = problems.length > 0 || Boolean(detail);
  useEffect(() => {
    if (shown) ref.current?.focus();
  }, [shown, problems, detail]);
  if (!shown) return null;
  return (
    <div className="problem error-summary" role="alert" aria-labelledby="error-summary-title" tabIndex={-1} ref={ref}>
      <h3 id="error-summary-title">There is a problem</h3>
      {detail && <p>{detail}</p>}
      {problems.length > 0 && (
        <ul>
          {problems.map((p) => (
            <li key={p.fieldId}>
              <a
                href={`#${p.fieldId}`}
                onClick={(e) => {
                  // Hash links drive the app's router: move focus to the field instead.
                  e.preventDefault();
                  document.getElementById(p.fieldId)?.focus();
                }}
              >
                {p.message}
              </a>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
