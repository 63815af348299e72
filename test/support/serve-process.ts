/**
 * `pathways serve` as a real child process, for tests of several nodes on one database:
 * started on port 0, resolved with the URL it prints, stopped with a signal.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** A running `pathways serve`. */
export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** Everything it wrote so far. */
  output(): string;
  /** Sends `signal` (default SIGTERM) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `pathways serve --port P` (default 0: any free port) on `databaseUrl`; rejects with
 * its output if it exits first. `nodeArgs` go to node itself (e.g. `--cpu-prof`, which
 * NODE_OPTIONS does not take).
 */
export function startServeProcess(databaseUrl: string, env: Record<string, string> = {}, port = 0, nodeArgs: string[] = []): Promise<ServeProcess> {
  const child = spawn(process.execPath, [...nodeArgs, 'bin/pathways.js', 'serve', '--port', String(port)], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PATHWAYS_SCRYPT_COST: '1024', PATHWAYS_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 45_000);
    const onData = (): void => {
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve({
        child,
        url: match[1],
        output: () => out,
        async stop(signal = 'SIGTERM') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${String(code)}: ${out}`));
    });
  });
}
