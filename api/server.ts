/**
 * Serves the app on a port. The http server is returned so the live fan-out can attach
 * socket.io to the same port.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type AppOptions, type PathwaysApp } from './app.ts';

export interface RunningServer {
  app: PathwaysApp;
  httpServer: Server;
  /** `http://host:port` as bound (the real port when 0 was asked for). */
  url: string;
  /** Stops listening; requests in flight get `graceMs` (default 0) to be answered before their connections close. */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** How long an idle keep-alive connection is kept open: longer than a balancer's 60 s idle timeout. */
export const KEEP_ALIVE_MS = 65_000;

/** Starts listening; resolves once the port is bound. */
export async function startServer(options: AppOptions & { port: number; host?: string }): Promise<RunningServer> {
  const app = createApp(options);
  const httpServer = createServer(app);
  // Slow clients must not hold sockets forever.
  httpServer.headersTimeout = 20_000;
  httpServer.requestTimeout = 30_000;
  // An idle keep-alive connection stays open longer than a balancer keeps its idle upstream
  // connections (60 s is the common default). Were the node to close first (Node's default is
  // 5 s), a balancer could send a request on the connection as it closes and answer 502, or a
  // client see ECONNRESET (the nodes benchmark did, now and then). docs/DEPLOY.md.
  httpServer.keepAliveTimeout = KEEP_ALIVE_MS;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const address = httpServer.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return {
    app,
    httpServer,
    url: `http://${shownHost}:${address.port}`,
    close: ({ graceMs = 0 } = {}) =>
      new Promise<void>((resolve, reject) => {
        // Stop taking connections; idle keep-alive ones close now, busy ones once answered.
        httpServer.close((err) => {
          clearTimeout(cutoff);
          if (err) reject(err);
          else resolve();
        });
        httpServer.closeIdleConnections();
        const cutoff = setTimeout(() => httpServer.closeAllConnections(), graceMs);
        if (graceMs === 0) httpServer.closeAllConnections();
      }),
  };
}
