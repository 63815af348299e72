/**
 * Model-based test of the pathway statechart: shortest paths to every abstract state,
 * each extended by every sample event, must reach every state node and every transition;
 * every guard must be seen rejecting; every invalid sample must leave the snapshot as it was.
 */
import { describe, expect, it } from 'vitest';
import type { AnyMachineSnapshot, EventObject } from 'xstate';
import { pathwayMachine } from '../../machines/index.ts';
import { exploreModel } from './model-coverage.ts';
import { pathwayModelInput as input, rejections, samples, serializeState } from './pathway-model-spec.ts';

describe('pathway statechart, model-based', () => {
  const coverage = exploreModel({
    machine: pathwayMachine,
    input,
    events: samples as (s: AnyMachineSnapshot) => EventObject[],
    rejections: rejections as (s: AnyMachineSnapshot) => EventObject[],
    serializeState,
  });

  it('replays every generated path with the pure transition() the engine uses', () => {
    expect(coverage.problems).toEqual([]);
    expect(coverage.pathCount).toBeGreaterThan(90);
  });

  it('reaches every state node', () => {
    expect(coverage.allStateNodes.filter((id) => !coverage.coveredStateNodes.has(id))).toEqual([]);
    expect(coverage.allStateNodes).toHaveLength(12);
  });

  it('takes every transition', () => {
    const missing = coverage.allTransitions.filter((t) => !coverage.coveredTransitions.has(t));
    expect(missing).toEqual([]);
    expect(coverage.allTransitions.length).toBeGreaterThan(60);
  });

  it('sees every guard reject, and every rejected event leaves the snapshot unchanged', () => {
    expect(coverage.allGuards.filter((g) => !coverage.rejectingGuards.has(g))).toEqual([]);
    expect(coverage.rejectionsChecked).toBeGreaterThan(1000);
  });

  it('reports its size', () => {
    console.info(
      `pathway model: ${coverage.pathCount} paths, ${coverage.abstractStateCount} abstract states, ` +
        `${coverage.coveredStateNodes.size}/${coverage.allStateNodes.length} state nodes, ` +
        `${coverage.coveredTransitions.size}/${coverage.allTransitions.length} transitions, ` +
        `${coverage.rejectingGuards.size}/${coverage.allGuards.length} guards rejecting, ${coverage.rejectionsChecked} rejections checked`,
    );
    expect(coverage.abstractStateCount).toBe(coverage.pathCount);
  });
});
