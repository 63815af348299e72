/** The care package: its date and each intervention's status, with the latest TOP. */
import { formatDate, humanise } from '../lib/format.ts';
import { valueLabel } from '../forms/field-words.ts';
import type { CaseView } from './case-types.ts';

const STATUS_BADGE: Record<string, string> = { referred: 'badge', offered: 'badge badge-info', started: 'badge badge-ok', ended: 'badge' };

/** The care package panel; `onEdit` opens the care package editor when that is allowed now. */
export function CarePackagePanel({ c, onEdit }: { c: CaseView; onEdit?: (() => void) | undefined }) {
  const pkg = c.carePackage;
  const interventions = pkg?.interventions ?? c.interventions ?? [];
  const latestTop = c.tops?.at(-1);
  return (
    <div className="panel" data-testid="care-package">
      <h2>Care package</h2>
      {!pkg && interventions.length === 0 ? (
        <p className="muted">No care package agreed yet.</p>
      ) : (
        <>
          {pkg && <p className="muted">Agreed {formatDate(pkg.carePlanDate)}</p>}
          <table>
            <thead>
              <tr>
                <th scope="col">Intervention</th>
                <th scope="col">Status</th>
                <th scope="col">Dates</th>
              </tr>
            </thead>
            <tbody>
              {interventions.map((i) => (
                <tr key={i.id} data-intervention={i.id}>
                  <td>{valueLabel('modality', i.modality)}</td>
                  <td>
                    <span className={STATUS_BADGE[i.status] ?? 'badge'}>{humanise(i.status)}</span>
                    {i.exitStatus ? <span className="muted"> ({valueLabel('exitStatus', i.exitStatus)})</span> : null}
                  </td>
                  <td className="muted">
                    {[i.offeredOn && `offered ${formatDate(i.offeredOn)}`, i.startedOn && `started ${formatDate(i.startedOn)}`, i.endedOn && `ended ${formatDate(i.endedOn)}`]
                      .filter(Boolean)
                      .join(' · ') || '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {onEdit && (
        <p>
          <button type="button" className="secondary" onClick={onEdit}>
            {pkg ? 'Edit care package' : 'Agree care package'}
          </button>
        </p>
      )}
      {latestTop && (
        <>
          <h3>Latest TOP</h3>
          <p className="muted">
            {valueLabel('kind', latestTop.kind ?? '')} · {formatDate(latestTop.recordedOn)} · psychological health {latestTop.psychologicalHealth ?? '—'}/20 · physical health{' '}
            {latestTop.physicalHealth ?? '—'}/20 · quality of life {latestTop.qualityOfLife ?? '—'}/20
          </p>
        </>
      )}
    </div>
  );
}
