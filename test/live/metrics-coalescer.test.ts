/**
 * `metrics.changed` goes out at once after a quiet spell (a manager sees the first change
 * without waiting out the window), and at most once per area per interval under a stream
 * of changes, naming every measure moved and the newest seq.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MetricsCoalescer } from '../../src/live/metrics-coalescer.ts';

describe('metrics coalescer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the first change at once, then one per interval with everything since', () => {
    const sent: Array<{ at: number; area: string; seq: number; measures: string[] }> = [];
    const c = new MetricsCoalescer(250, (area, p) => sent.push({ at: performance.now(), ...p, area }));
    const t0 = performance.now();
    c.note('North', 1, ['wip']);
    expect(sent).toEqual([{ at: t0, area: 'North', seq: 1, measures: ['wip'] }]);
    vi.advanceTimersByTime(10);
    c.note('North', 2, ['summary']);
    c.note('North', 3, ['wip', 'flow']);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(239);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sent[1]).toEqual({ at: t0 + 250, area: 'North', seq: 3, measures: ['flow', 'summary', 'wip'] });
    // Quiet again for a whole interval: the next change goes out at once.
    vi.advanceTimersByTime(300);
    c.note('North', 4, ['wip']);
    expect(sent).toHaveLength(3);
    expect(sent[2]!.seq).toBe(4);
    for (let i = 1; i < sent.length; i++) expect(sent[i]!.at - sent[i - 1]!.at).toBeGreaterThanOrEqual(250);
    c.stop();
  });
});
