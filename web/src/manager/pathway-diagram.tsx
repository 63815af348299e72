/**
 * The pathway statechart as a live diagram: dagre lays out the machine's stages; each box
 * shows how many people are in the stage and how long they have waited, coloured by how
 * far past target. The same figures are in a table below it for screen readers.
 */
import { useMemo } from 'react';
import { pathwayMachine, TIMER_EVENT_TYPES } from '../../../machines/index.ts';
import { stageLabel, eventActionLabel } from '../lib/labels.ts';
import { formatDays } from '../lib/format.ts';
import { layoutPathway, type DiagramEdge } from './pathway-graph.ts';
import { BAND_STYLE, lateBand, type LateBand } from './stage-status.ts';

/** Live figures for one stage. */
export interface StageFigures {
  count: number;
  medianDays: number | null;
  p90Days: number | null;
  targetDays: number | null;
}

const EDGE_STYLE: Record<DiagramEdge['kind'], { stroke: string; dash?: string; width: number }> = {
  main: { stroke: '#33475b', width: 1.8 },
  timer: { stroke: '#8a5300', dash: '6 4', width: 1.5 },
  custody: { stroke: '#a6b0bd', dash: '2 4', width: 1.1 },
};

function pathOf(points: Array<{ x: number; y: number }>): string {
  if (points.length === 0) return '';
  const [first, ...rest] = points;
  if (!first) return '';
  // A smooth curve through dagre's points: quadratic segments between midpoints.
  let d = `M${first.x},${first.y}`;
  for (let i = 0; i < rest.length - 1; i++) {
    const p = rest[i]!;
    const q = rest[i + 1]!;
    d += ` Q${p.x},${p.y} ${(p.x + q.x) / 2},${(p.y + q.y) / 2}`;
  }
  const last = rest[rest.length - 1];
  if (last) d += ` L${last.x},${last.y}`;
  return d;
}

/** The diagram; `figures` by stage id; with `stageHref`, each open stage links to the journeys in it. */
export function PathwayDiagram({ figures, changed, stageHref }: { figures: Record<string, StageFigures>; changed?: ReadonlySet<string>; stageHref?: (stage: string) => string }) {
  const diagram = useMemo(() => layoutPathway(pathwayMachine, TIMER_EVENT_TYPES), []);
  const bandOf = (id: string): LateBand => {
    const f = figures[id];
    return f ? lateBand(f.count, f.p90Days ?? f.medianDays, f.targetDays) : 'none';
  };
  const summary = diagram.nodes
    .map((n) => `${stageLabel(n.id)}: ${figures[n.id]?.count ?? 0}`)
    .join('; ');

  return (
    <figure className="diagram-figure" aria-labelledby="pathway-diagram-caption">
      <div className="diagram-wrap">
        <svg
          className="diagram"
          // With links in it the drawing is a group of them, not one image (an image's parts cannot be focused).
          role={stageHref ? 'group' : 'img'}
          aria-label={`Pathway stages with people in each: ${summary}`}
          viewBox={`0 0 ${diagram.width} ${diagram.height}`}
          width={diagram.width}
          height={diagram.height}
          style={{ maxWidth: '100%', height: 'auto' }}
        >
          <defs>
            {(['main', 'timer', 'custody'] as const).map((k) => (
              <marker key={k} id={`arrow-${k}`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                <path d="M0,0 L10,5 L0,10 z" fill={EDGE_STYLE[k].stroke} />
              </marker>
            ))}
          </defs>
          {diagram.edges
            .slice()
            .sort((a, b) => (a.kind === 'custody' ? -1 : 0) - (b.kind === 'custody' ? -1 : 0))
            .map((e) => {
              const s = EDGE_STYLE[e.kind];
              return (
                <g key={`${e.from}-${e.to}`} data-edge={`${e.from}->${e.to}`}>
                  <title>{`${stageLabel(e.from)} → ${stageLabel(e.to)}: ${e.events.map(eventActionLabel).join(', ')}`}</title>
                  <path d={pathOf(e.points)} fill="none" stroke={s.stroke} strokeWidth={s.width} strokeDasharray={s.dash} markerEnd={`url(#arrow-${e.kind})`} />
                </g>
              );
            })}
          {diagram.nodes.map((n) => {
            const f = figures[n.id];
            const band = bandOf(n.id);
            const style = BAND_STYLE[band];
            const x = n.x - n.width / 2;
            const y = n.y - n.height / 2;
            const box = (
              <g key={n.id} data-stage={n.id} data-band={band} className={changed?.has(n.id) ? 'flash' : undefined}>
                <rect x={x} y={y} width={n.width} height={n.height} rx={n.final ? 20 : 8} fill={style.fill} stroke={style.stroke} strokeWidth={n.final ? 3 : 2} />
                {n.initial && <circle cx={x - 10} cy={n.y} r={5} fill="#33475b" />}
                <text x={n.x} y={y + 20} textAnchor="middle" fontWeight={700} fontSize={15} fill={style.text}>
                  {stageLabel(n.id)}
                </text>
                <text x={n.x} y={y + 47} textAnchor="middle" fontSize={24} fontWeight={700} fill={style.text} data-testid={`stage-count-${n.id}`}>
                  {f ? f.count.toLocaleString('en-GB') : '–'}
                </text>
                <text x={n.x} y={y + 68} textAnchor="middle" fontSize={12.5} fill={style.text}>
                  {f && f.count > 0 && f.medianDays !== null ? `median ${formatDays(f.medianDays)}` : n.final ? 'journeys ended' : 'no one here'}
                </text>
                <text x={n.x} y={y + 84} textAnchor="middle" fontSize={12.5} fill={style.text}>
                  {f && f.count > 0 && f.p90Days !== null ? `90% within ${formatDays(f.p90Days)}` : ''}
                </text>
              </g>
            );
            // Closed journeys are not work in progress: the final stage has no list.
            if (!stageHref || n.final) return box;
            return (
              <a key={n.id} href={stageHref(n.id)} data-testid={`stage-link-${n.id}`}>
                <title>{`Open the list of the ${f?.count ?? 0} journeys in ${stageLabel(n.id).toLowerCase()}`}</title>
                {box}
              </a>
            );
          })}
        </svg>
      </div>
      <figcaption id="pathway-diagram-caption">
        <ul className="legend" aria-label="Colour key">
          {(['within', 'near', 'past', 'far'] as const).map((b) => (
            <li key={b}>
              <span className="swatch" style={{ background: BAND_STYLE[b].fill, borderColor: BAND_STYLE[b].stroke }} />
              {BAND_STYLE[b].label}
            </li>
          ))}
          <li>
            <svg width="28" height="8" aria-hidden="true"><line x1="0" y1="4" x2="28" y2="4" stroke={EDGE_STYLE.timer.stroke} strokeDasharray={EDGE_STYLE.timer.dash} strokeWidth="2" /></svg> timer
          </li>
          <li>
            <svg width="28" height="8" aria-hidden="true"><line x1="0" y1="4" x2="28" y2="4" stroke={EDGE_STYLE.custody.stroke} strokeDasharray={EDGE_STYLE.custody.dash} strokeWidth="2" /></svg> custody and release
          </li>
        </ul>
        <p className="hint">Colour compares the slowest tenth (90th percentile) of time in the stage with its target. Laid out from the pathway statechart.</p>
      </figcaption>
      <details>
        <summary>Stage figures as a table</summary>
        <div className="table-wrap">
          <table>
            <caption className="sr-only">People in each pathway stage and their time in it</caption>
            <thead>
              <tr>
                <th scope="col">Stage</th>
                <th scope="col" className="num">People</th>
                <th scope="col" className="num">Median days</th>
                <th scope="col" className="num">90th percentile days</th>
                <th scope="col" className="num">Target days</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {diagram.nodes.map((n) => {
                const f = figures[n.id];
                return (
                  <tr key={n.id}>
                    <th scope="row">{stageLabel(n.id)}</th>
                    <td className="num">{f?.count ?? 0}</td>
                    <td className="num">{f?.medianDays ?? '—'}</td>
                    <td className="num">{f?.p90Days ?? '—'}</td>
                    <td className="num">{f?.targetDays ?? '—'}</td>
                    <td>{BAND_STYLE[bandOf(n.id)].label}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
