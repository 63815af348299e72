/**
 * Model-based tests of the referral and intervention statecharts: generated paths reach
 * every state and transition, every guard is seen rejecting, refused events change nothing.
 */
import { describe, expect, it } from 'vitest';
import type { AnyMachineSnapshot } from 'xstate';
import { interventionMachine } from '../../machines/intervention.machine.ts';
import { referralMachine } from '../../machines/index.ts';
import { ev } from './builders.ts';
import { exploreModel, type ModelCoverage } from './model-coverage.ts';

function expectComplete(coverage: ModelCoverage, name: string): void {
  expect(coverage.problems).toEqual([]);
  expect(coverage.allStateNodes.filter((id) => !coverage.coveredStateNodes.has(id))).toEqual([]);
  expect(coverage.allTransitions.filter((t) => !coverage.coveredTransitions.has(t))).toEqual([]);
  expect(coverage.allGuards.filter((g) => !coverage.rejectingGuards.has(g))).toEqual([]);
  console.info(
    `${name} model: ${coverage.pathCount} paths, ${coverage.coveredStateNodes.size}/${coverage.allStateNodes.length} state nodes, ` +
      `${coverage.coveredTransitions.size}/${coverage.allTransitions.length} transitions, ` +
      `${coverage.rejectingGuards.size}/${coverage.allGuards.length} guards rejecting, ${coverage.rejectionsChecked} rejections checked`,
  );
}

const flags = (s: AnyMachineSnapshot): string => {
  const c = s.context as { acknowledgeOverdue: boolean; firstContactOverdue: boolean };
  return `${c.acknowledgeOverdue ? 'A' : ''}${c.firstContactOverdue ? 'F' : ''}`;
};

describe('referral statechart, model-based', () => {
  const coverage = exploreModel({
    machine: referralMachine,
    input: { kind: 'employment_support', urgency: 'routine' },
    events: () => [
      ev({ type: 'REFERRAL_RECEIVED' }),
      ev({ type: 'REFERRAL_ACCEPTED' }),
      ev({ type: 'REFERRAL_REJECTED', reason: 'Outside our area' }),
      ev({ type: 'FIRST_CONTACT_MADE', contactOn: '2026-03-03' }),
      ev({ type: 'REFERRAL_COMPLETED', outcome: 'Attended; started work search support' }),
      ev({ type: 'REFERRAL_FAILED', reason: 'Did not attend three appointments' }),
      ev({ type: 'REFERRAL_CANCELLED' }),
      ev({ type: 'ACKNOWLEDGE_DEADLINE_PASSED' }),
      ev({ type: 'FIRST_CONTACT_DEADLINE_PASSED' }),
    ],
    rejections: () => [
      ev({ type: 'REFERRAL_REJECTED', reason: '   ' }),
      ev({ type: 'REFERRAL_REJECTED' }),
      ev({ type: 'REFERRAL_FAILED', reason: '' }),
      ev({ type: 'REFERRAL_COMPLETED', outcome: '' }),
      ev({ type: 'REFERRAL_COMPLETED' }),
    ],
    serializeState: (s) => JSON.stringify([s.value, flags(s)]),
  });

  it('covers every state, transition and guard rejection', () => {
    expectComplete(coverage, 'referral');
    expect(coverage.allStateNodes).toHaveLength(9);
  });
});

describe('intervention statechart, model-based', () => {
  const coverage = exploreModel({
    machine: interventionMachine,
    input: { id: 'psy-1', modality: 'structured_psychosocial', referredOn: '2026-02-01' },
    events: () => [
      ev({ type: 'INTERVENTION_OFFERED', interventionId: 'psy-1' }),
      ev({ type: 'INTERVENTION_STARTED', interventionId: 'psy-1' }),
      ev({ type: 'INTERVENTION_ENDED', interventionId: 'psy-1', exitStatus: 'planned' }),
      ev({ type: 'INTERVENTION_ENDED', interventionId: 'psy-1', exitStatus: 'unplanned' }),
      ev({ type: 'INTERVENTION_ENDED', interventionId: 'psy-1', exitStatus: 'withdrawn' }),
    ],
    rejections: () => [ev({ type: 'INTERVENTION_ENDED', interventionId: 'psy-1', exitStatus: 'lost' })],
    serializeState: (s) => JSON.stringify([s.value, (s.context as { exitStatus: string | null }).exitStatus]),
  });

  it('covers every state, transition and guard rejection', () => {
    expectComplete(coverage, 'intervention');
    expect(coverage.allStateNodes).toEqual(['intervention', 'intervention.referred', 'intervention.offered', 'intervention.started', 'intervention.ended']);
  });
});
