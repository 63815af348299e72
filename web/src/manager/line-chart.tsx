/**
 * A small line chart of a share over time in plain SVG, with an optional target line.
 * The points are also given as a table for screen readers and for checking numbers.
 */
import { formatPercent } from '../lib/format.ts';

export interface SharePoint {
  label: string;
  /** 0–1, or null when nothing was counted that period. */
  value: number | null;
  /** What the share is of (shown in the table). */
  numerator?: number;
  denominator?: number;
}

const W = 420;
const H = 190;
const PAD = { left: 40, right: 26, top: 14, bottom: 28 };

/** The chart; `target` is a share (0–1) drawn as a dashed line. */
export function ShareLineChart({ title, points, target, targetLabel, id }: { title: string; points: SharePoint[]; target?: number; targetLabel?: string; id: string }) {
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (points.length <= 1 ? innerW / 2 : (i * innerW) / (points.length - 1));
  const y = (v: number) => PAD.top + innerH - v * innerH;
  const segments: string[] = [];
  let current = '';
  points.forEach((p, i) => {
    if (p.value === null) {
      if (current) segments.push(current);
      current = '';
      return;
    }
    current += `${current ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.value).toFixed(1)} `;
  });
  if (current) segments.push(current);
  const latest = [...points].reverse().find((p) => p.value !== null);
  const described = points.map((p) => `${p.label}: ${formatPercent(p.value)}`).join(', ');

  return (
    <figure className="chart-figure" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>
        <strong>{title}</strong> <span className="muted">latest {formatPercent(latest?.value ?? null)}</span>
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
        {segments.map((d, i) => (
          <path key={i} d={d} fill="none" stroke="#0b5f8a" strokeWidth={2.5} />
        ))}
        {points.map((p, i) => (
          <g key={p.label}>
            {p.value !== null && <circle cx={x(i)} cy={y(p.value)} r={3.5} fill="#0b5f8a" />}
            <text x={x(i)} y={H - 8} textAnchor="middle">
              {p.label}
            </text>
          </g>
        ))}
      </svg>
      <details>
        <summary>Figures</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Month</th>
              <th scope="col" className="num">Share</th>
              <th scope="col" className="num">Of</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.label}>
                <th scope="row">{p.label}</th>
                <td className="num">{formatPercent(p.value)}</td>
                <td className="num">{p.denominator !== undefined ? `${p.numerator ?? '—'} / ${p.denominator}` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
