/**
 * A small line chart of shares over time in plain SVG: one line per group (side by side
 * for a breakdown), an optional target line, the current period drawn open and marked
 * "so far", and the latest complete period with its numerator and denominator. The
 * points are also a table, for screen readers and for checking numbers.
 */
import { formatPercent } from '../lib/format.ts';

export interface SharePoint {
  label: string;
  /** 0–1, or null when nothing was counted that period. */
  value: number | null;
  /** What the share is of. */
  numerator: number;
  denominator: number;
  /** The period is still running (its figure will change). */
  partial?: boolean;
}

/** One line: a group and its points. */
export interface ShareSeries {
  name: string;
  points: SharePoint[];
}

const W = 420;
const H = 200;
const PAD = { left: 40, right: 26, top: 14, bottom: 30 };
/** Line colours that stay apart for common colour-vision differences (Okabe–Ito), with a marker shape each. */
const COLOURS = ['#0b5f8a', '#d55e00', '#009e73', '#cc79a7', '#6b4c9a', '#8a5300'];
const MARKERS = ['circle', 'square', 'diamond', 'triangle', 'circle', 'square'] as const;

function marker(kind: (typeof MARKERS)[number], x: number, y: number, colour: string, open: boolean) {
  const fill = open ? '#ffffff' : colour;
  const common = { fill, stroke: colour, strokeWidth: 1.8 };
  switch (kind) {
    case 'square':
      return <rect x={x - 3.5} y={y - 3.5} width={7} height={7} {...common} />;
    case 'diamond':
      return <path d={`M${x},${y - 4.5} L${x + 4.5},${y} L${x},${y + 4.5} L${x - 4.5},${y} Z`} {...common} />;
    case 'triangle':
      return <path d={`M${x},${y - 4.5} L${x + 4.5},${y + 4} L${x - 4.5},${y + 4} Z`} {...common} />;
    case 'circle':
      return <circle cx={x} cy={y} r={3.8} {...common} />;
  }
}

/** The latest complete period with a figure. */
function latestComplete(points: SharePoint[]): SharePoint | undefined {
  return [...points].reverse().find((p) => !p.partial && p.value !== null);
}

/** The chart; `target` is a share (0–1) drawn as a dashed line. */
export function ShareLineChart({ title, series, target, targetLabel, id }: { title: string; series: ShareSeries[]; target?: number; targetLabel?: string; id: string }) {
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const labels = series[0]?.points.map((p) => ({ label: p.label, partial: p.partial === true })) ?? [];
  const x = (i: number) => PAD.left + (labels.length <= 1 ? innerW / 2 : (i * innerW) / (labels.length - 1));
  const y = (v: number) => PAD.top + innerH - v * innerH;
  const one = series.length === 1 ? series[0] : undefined;
  const latest = one ? latestComplete(one.points) : undefined;
  const described = series.map((s) => `${s.name}: ${s.points.map((p) => `${p.label}${p.partial ? ' (so far)' : ''} ${formatPercent(p.value)}`).join(', ')}`).join('; ');

  return (
    <figure className="chart-figure" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>
        <strong>{title}</strong>{' '}
        {latest && (
          <span className="muted" data-testid={`${id}-latest`}>
            {latest.label}: {formatPercent(latest.value)} ({latest.numerator.toLocaleString('en-GB')} of {latest.denominator.toLocaleString('en-GB')})
          </span>
        )}
      </figcaption>
      <svg className="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}: ${described}`} style={{ width: '100%', maxWidth: W, height: 'auto' }} data-chart={id}>
        {[0, 0.25, 0.5, 0.75, 1].map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} stroke="#e3e8ee" />
            <text x={PAD.left - 6} y={y(t) + 4} textAnchor="end">
              {t * 100}%
            </text>
          </g>
        ))}
        {target !== undefined && (
          <g>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(target)} y2={y(target)} stroke="#8a5300" strokeDasharray="5 4" strokeWidth={1.5} />
            <text x={W - PAD.right} y={y(target) - 4} textAnchor="end" style={{ fill: '#8a5300' }}>
              {targetLabel ?? `target ${formatPercent(target)}`}
            </text>
          </g>
        )}
        {series.map((s, si) => {
          const colour = COLOURS[si % COLOURS.length]!;
          // Solid between complete periods; dashed into the one still running.
          const parts: Array<{ d: string; dashed: boolean }> = [];
          let prev: { i: number; v: number } | null = null;
          s.points.forEach((p, i) => {
            if (p.value === null) {
              prev = null;
              return;
            }
            if (prev) parts.push({ d: `M${x(prev.i)},${y(prev.v)} L${x(i)},${y(p.value)}`, dashed: p.partial === true });
            prev = { i, v: p.value };
          });
          return (
            <g key={s.name} data-series={s.name}>
              {parts.map((part, k) => (
                <path key={k} d={part.d} fill="none" stroke={colour} strokeWidth={2.5} strokeDasharray={part.dashed ? '4 4' : undefined} />
              ))}
              {s.points.map((p, i) => (p.value === null ? null : <g key={p.label}>{marker(MARKERS[si % MARKERS.length]!, x(i), y(p.value), colour, p.partial === true)}</g>))}
            </g>
          );
        })}
        {labels.map((l, i) => (
          <text key={l.label} x={x(i)} y={H - 14} textAnchor="middle">
            {l.label}
            {l.partial && (
              <tspan x={x(i)} dy={12}>
                so far
              </tspan>
            )}
          </text>
        ))}
      </svg>
      {series.length > 1 && (
        <ul className="legend" aria-label="Groups">
          {series.map((s, si) => (
            <li key={s.name}>
              <svg width="22" height="10" aria-hidden="true">
                <line x1="0" y1="5" x2="22" y2="5" stroke={COLOURS[si % COLOURS.length]} strokeWidth="2.5" />
              </svg>{' '}
              {s.name}
            </li>
          ))}
        </ul>
      )}
      <details>
        <summary>Figures</summary>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Month</th>
                {series.map((s) => (
                  <th scope="col" className="num" key={s.name}>
                    {s.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {labels.map((l, i) => (
                <tr key={l.label}>
                  <th scope="row">
                    {l.label}
                    {l.partial ? ' (so far)' : ''}
                  </th>
                  {series.map((s) => {
                    const p = s.points[i];
                    return (
                      <td className="num" key={s.name}>
                        {p ? `${formatPercent(p.value)} (${p.numerator} of ${p.denominator})` : '—'}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
