/**
 * The pathway as a live drawing in lanes (pathway-lanes.ts): the main path left to right,
 * custody above, rapid re-entry and closure below. Each stage shows how many people are
 * in it, the median and 90th percentile of their time in it, and how many are past a
 * deadline; colour says "past the deadline" only for stages that have one. Every open
 * stage links to the list of its journeys. Zoom and pan; the same figures are in a table
 * for screen readers.
 */
import { useMemo, useRef, useState, type PointerEvent } from 'react';
import { pathwayMachine, TIMER_EVENT_TYPES } from '../../../machines/index.ts';
import { stageLabel } from '../lib/labels.ts';
import { formatDays } from '../lib/format.ts';
import { layoutLanes, type LaneLink } from './pathway-lanes.ts';
import { BAND_STYLE, STAGE_TARGETS, lateBand, type LateBand } from './stage-status.ts';

/** Live figures for one stage. */
export interface StageFigures {
  count: number;
  medianDays: number | null;
  p90Days: number | null;
  /** People in the stage past its deadline now; null where not known (a breakdown group). */
  breaches: number | null;
}

const LINK_STYLE: Record<LaneLink['kind'], { stroke: string; dash?: string; width: number }> = {
  main: { stroke: '#1b2330', width: 2.5 },
  closure: { stroke: '#5b6878', width: 1.5 },
  reentry: { stroke: '#1d4f91', width: 1.8 },
  timer: { stroke: '#8a5300', dash: '6 4', width: 1.5 },
  custody: { stroke: '#6b4c9a', dash: '3 4', width: 1.5 },
};

const ZOOMS = [0.75, 1, 1.25, 1.5, 2] as const;

/** The drawing; `figures` by stage id; with `stageHref`, each open stage links to its journeys. */
export function PathwayDiagram({ figures, changed, stageHref }: { figures: Record<string, StageFigures>; changed?: ReadonlySet<string>; stageHref?: (stage: string) => string }) {
  const diagram = useMemo(() => layoutLanes(pathwayMachine, TIMER_EVENT_TYPES), []);
  const [zoom, setZoom] = useState(1);
  const wrap = useRef<HTMLDivElement>(null);
  const drag = useRef<{ x: number; y: number; left: number; top: number } | null>(null);
  const bandOf = (id: string): LateBand => {
    const f = figures[id];
    return f?.breaches === null ? 'untargeted' : lateBand(id, f?.count ?? 0, f?.breaches ?? 0);
  };
  const summary = diagram.nodes.map((n) => `${stageLabel(n.id)}: ${figures[n.id]?.count ?? 0}`).join('; ');
  const zoomIndex = ZOOMS.indexOf(zoom as (typeof ZOOMS)[number]);

  // Pan by dragging the drawing (the scroll bars and keyboard scrolling work too).
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (!wrap.current || (e.target as Element).closest('a')) return;
    drag.current = { x: e.clientX, y: e.clientY, left: wrap.current.scrollLeft, top: wrap.current.scrollTop };
    wrap.current.setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (!drag.current || !wrap.current) return;
    wrap.current.scrollLeft = drag.current.left - (e.clientX - drag.current.x);
    wrap.current.scrollTop = drag.current.top - (e.clientY - drag.current.y);
  };
  const onPointerUp = () => {
    drag.current = null;
  };

  return (
    <figure className="diagram-figure" aria-labelledby="pathway-diagram-caption">
      <div className="zoom-controls" role="group" aria-label="Zoom the drawing">
        <button type="button" className="secondary" disabled={zoomIndex <= 0} onClick={() => setZoom(ZOOMS[Math.max(0, zoomIndex - 1)]!)} aria-label="Zoom out">
          −
        </button>
        <span className="muted" aria-live="polite">
          {Math.round(zoom * 100)}%
        </span>
        <button type="button" className="secondary" disabled={zoomIndex >= ZOOMS.length - 1} onClick={() => setZoom(ZOOMS[Math.min(ZOOMS.length - 1, zoomIndex + 1)]!)} aria-label="Zoom in">
          +
        </button>
        {zoom !== 1 && (
          <button type="button" className="link" onClick={() => setZoom(1)}>
            Actual size
          </button>
        )}
      </div>
      <div className="diagram-wrap" ref={wrap} tabIndex={0} aria-label="Pathway drawing; scroll or drag to pan" onPointerDown={onPointerDown} onPointerMove={onPointerMove} onPointerUp={onPointerUp} onPointerCancel={onPointerUp}>
        <svg
          className="diagram"
          // With links in it the drawing is a group of them, not one image (an image's parts cannot be focused).
          role={stageHref ? 'group' : 'img'}
          aria-label={`Pathway stages with people in each: ${summary}`}
          viewBox={`0 0 ${diagram.width} ${diagram.height}`}
          width={diagram.width * zoom}
          height={diagram.height * zoom}
        >
          <defs>
            {(Object.keys(LINK_STYLE) as Array<LaneLink['kind']>).map((k) => (
              <marker key={k} id={`arrow-${k}`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                <path d="M0,0 L10,5 L0,10 z" fill={LINK_STYLE[k].stroke} />
              </marker>
            ))}
          </defs>
          {diagram.links.map((l) => {
            const s = LINK_STYLE[l.kind];
            // Buses carry no arrowhead of their own, except closure's, which runs into the closed box.
            const plain = l.id.endsWith('-drop') || (l.id.endsWith('-bus') && l.kind !== 'closure');
            return (
              <g key={l.id} data-edge={l.id} data-kind={l.kind}>
                <title>{l.title}</title>
                <polyline
                  points={l.points.map((p) => `${p.x},${p.y}`).join(' ')}
                  fill="none"
                  stroke={s.stroke}
                  strokeWidth={s.width}
                  strokeDasharray={s.dash}
                  markerEnd={plain ? undefined : `url(#arrow-${l.kind})`}
                  markerStart={l.both ? `url(#arrow-${l.kind})` : undefined}
                />
              </g>
            );
          })}
          {diagram.labels.map((t) => (
            <text key={t.text} x={t.x} y={t.y} fontSize={12} fill="#4a5565">
              {t.text}
            </text>
          ))}
          {diagram.nodes.map((n) => {
            const f = figures[n.id];
            const band = bandOf(n.id);
            const style = BAND_STYLE[band];
            const cx = n.x + n.width / 2;
            const box = (
              <g key={n.id} data-stage={n.id} data-band={band} className={changed?.has(n.id) ? 'flash' : undefined}>
                <rect x={n.x} y={n.y} width={n.width} height={n.height} rx={n.final ? 18 : 8} fill={style.fill} stroke={style.stroke} strokeWidth={n.final ? 3 : 2} />
                <text x={cx} y={n.y + 19} textAnchor="middle" fontWeight={700} fontSize={13} fill={style.text}>
                  {stageLabel(n.id)}
                </text>
                <text x={cx} y={n.y + 44} textAnchor="middle" fontSize={22} fontWeight={700} fill={style.text} data-testid={`stage-count-${n.id}`}>
                  {n.final ? (f?.count ? f.count.toLocaleString('en-GB') : 'Ended') : (f?.count ?? 0).toLocaleString('en-GB')}
                </text>
                <text x={cx} y={n.y + 63} textAnchor="middle" fontSize={12} fill={style.text}>
                  {n.final ? 'journeys closed' : f && f.count > 0 && f.medianDays !== null ? `median ${formatDays(f.medianDays)}` : 'no one here'}
                </text>
                <text x={cx} y={n.y + 79} textAnchor="middle" fontSize={12} fill={style.text}>
                  {!n.final && f && f.count > 0 && f.p90Days !== null ? `90% within ${formatDays(f.p90Days)}` : ''}
                </text>
                <text x={cx} y={n.y + 96} textAnchor="middle" fontSize={12} fontWeight={700} fill={style.text} data-testid={`stage-breaches-${n.id}`}>
                  {n.id in STAGE_TARGETS && f && f.count > 0 && f.breaches !== null ? (f.breaches > 0 ? `${f.breaches.toLocaleString('en-GB')} past deadline` : 'none past deadline') : ''}
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
          {(['within', 'some', 'many', 'untargeted'] as const).map((b) => (
            <li key={b}>
              <span className="swatch" style={{ background: BAND_STYLE[b].fill, borderColor: BAND_STYLE[b].stroke }} />
              {BAND_STYLE[b].label}
            </li>
          ))}
          <li>
            <svg width="28" height="8" aria-hidden="true"><line x1="0" y1="4" x2="28" y2="4" stroke={LINK_STYLE.custody.stroke} strokeDasharray={LINK_STYLE.custody.dash} strokeWidth="2" /></svg> custody and release
          </li>
          <li>
            <svg width="28" height="8" aria-hidden="true"><line x1="0" y1="4" x2="28" y2="4" stroke={LINK_STYLE.timer.stroke} strokeDasharray={LINK_STYLE.timer.dash} strokeWidth="2" /></svg> after a time (6 months in recovery)
          </li>
        </ul>
        <p className="hint">
          Colour marks the share of people past a policy deadline, only in stages that have one: the 21-day wait for a first intervention (referral to care planning, rapid re-entry,
          custody) and the six-monthly review in treatment. Drawn from the pathway statechart.
        </p>
      </figcaption>
      <details>
        <summary>Stage figures as a table</summary>
        <div className="table-wrap">
          <table>
            <caption className="sr-only">People in each pathway stage, their time in it and how many are past a deadline</caption>
            <thead>
              <tr>
                <th scope="col">Stage</th>
                <th scope="col" className="num">People</th>
                <th scope="col" className="num">Median days</th>
                <th scope="col" className="num">90th percentile days</th>
                <th scope="col" className="num">Past deadline</th>
                <th scope="col">Deadline</th>
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
                    <td className="num">{n.id in STAGE_TARGETS && f?.breaches !== null ? (f?.breaches ?? 0) : '—'}</td>
                    <td>{STAGE_TARGETS[n.id] ?? 'None'}</td>
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
