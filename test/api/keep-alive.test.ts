/**
 * Idle keep-alive connections: the server keeps one open longer than a balancer keeps its
 * idle upstream connections, so a request sent on an idle connection is never met by the
 * node closing it (Node's own default closes after 5 s). Checked over a real socket left
 * idle past those 5 s.
 */
import { Agent, request } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KEEP_ALIVE_MS } from '../../api/server.ts';
import { startPathways, type RunningPathways } from '../../cli/commands/serve.ts';
import { createTestStore, type TestStore } from '../support/stores.ts';

/** GET `path` through `agent`: the status, and whether it went on a connection used before. */
function get(agent: Agent, url: string, path: string): Promise<{ status: number; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('keep-alive connections', () => {
  let store: TestStore | undefined;
  let running: RunningPathways | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await store?.dispose();
  });

  it('keeps an idle connection open past a balancer idle timeout of 60 s, and a request on it is answered', async () => {
    expect(KEEP_ALIVE_MS).toBeGreaterThan(60_000);
    store = await createTestStore('sqlite');
    running = await startPathways(store, { port: 0, webDist: '' });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const closed: string[] = [];
      agent.on('free', (socket: Socket) => socket.once('close', () => closed.push('closed')));
      expect(await get(agent, running.server.url, '/healthz')).toEqual({ status: 200, reused: false });
      // Idle for longer than Node's default keep-alive timeout (5 s).
      await new Promise((r) => setTimeout(r, 6_000));
      expect(closed).toEqual([]);
      expect(await get(agent, running.server.url, '/healthz')).toEqual({ status: 200, reused: true });
    } finally {
      agent.destroy();
    }
  }, 20_000);
});
