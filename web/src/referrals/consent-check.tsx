/**
 * The consent check shown before a referral is sent: which categories this kind of
 * referral shares, which of them the person has consented to share with the receiving
 * agency, and what is missing (Caldicott principle 3: the minimum necessary).
 */
import { isJobcentrePair, REFERRAL_KIND_CATEGORIES } from '../../../machines/referral-consent.ts';
import { humanise } from '../lib/format.ts';
import type { ReferralKind } from '../../../machines/referral-kinds.ts';
import type { AgencyView, ConsentView } from './referral-types.ts';

/** What the person's active consents cover for one agency and kind of referral. */
export function consentCoverage(consents: ConsentView[], agency: AgencyView, kind: ReferralKind, fromKind: string) {
  const needed = REFERRAL_KIND_CATEGORIES[kind];
  // The Jobcentre Plus pair (TPR1/TPR2) needs consent naming the office itself, not its kind.
  const explicitOnly = isJobcentrePair(kind, fromKind, agency.kind);
  const covering = consents.filter((c) => c.active && (c.toAgencyId === agency.id || (!explicitOnly && c.toAgencyKind === agency.kind)));
  const covered = new Set(covering.flatMap((c) => c.categories));
  return { needed, covering, explicitOnly, missing: needed.filter((c) => !covered.has(c)) };
}

/** The consent check panel. */
export function ConsentCheck({ consents, agency, kind, fromKind }: { consents: ConsentView[]; agency: AgencyView; kind: ReferralKind; fromKind: string }) {
  const { needed, covering, missing, explicitOnly } = consentCoverage(consents, agency, kind, fromKind);
  const words = (list: readonly string[]) => list.map((c) => humanise(c).toLowerCase()).join(', ');
  return (
    <div className={`consent-check ${missing.length ? 'missing' : 'ok'}`} role="status" data-testid="consent-check" data-missing={missing.join(',')}>
      <p>
        <strong>{missing.length ? 'Consent missing' : 'Consent in place'}</strong>
      </p>
      <p>
        A {humanise(kind).toLowerCase()} referral shares: {words(needed)}.
      </p>
      {explicitOnly && <p>This Jobcentre Plus referral needs the person’s explicit consent naming {agency.name} itself.</p>}
      {covering.length > 0 && (
        <p>
          Consented for {agency.name}: {words([...new Set(covering.flatMap((c) => c.categories))])}
          {covering.some((c) => c.validUntil) ? ` (valid until ${covering.map((c) => c.validUntil).filter(Boolean).join(', ')})` : ''}.
        </p>
      )}
      {missing.length > 0 && (
        <p>
          The person has not agreed to share <strong>{words(missing)}</strong> with {agency.name}. Record their consent below before sending. Only if someone is at risk may you
          send without it, as a safeguarding override that auditors review.
        </p>
      )}
    </div>
  );
}
