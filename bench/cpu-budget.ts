/**
 * A CPU budget for one process, as a machine of its own would give it: a Linux control group
 * with a CPU quota, so several `pathways serve` processes on one small machine each get their
 * share and no more, instead of all of them taking turns on the same cores. Works with the
 * cgroup v1 `cpu` controller (mounted at /sys/fs/cgroup/cpu) or cgroup v2 (`cpu.max`; the root's
 * `cgroup.subtree_control` gets `+cpu`, which a group's quota needs there), as root or wherever
 * the hierarchy is writable; elsewhere `limitCpu` throws, saying why.
 *
 * The quota is given per 10 ms period rather than the kernel's default 100 ms: a process over
 * its budget then waits at most the rest of 10 ms, not of 100, so the budget shapes latency
 * as a slower machine would instead of in long stalls.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PERIOD_US = 10_000;
const V1 = '/sys/fs/cgroup/cpu';
const V2 = ['/sys/fs/cgroup', '/sys/fs/cgroup/unified'];

/** A process held to a CPU budget; `release` removes the group once the process has exited. */
export interface CpuBudget {
  release(): void;
}

/** Holds process `pid` (every thread of it, and children it starts later) to `cores` CPUs. */
export function limitCpu(pid: number, cores: number): CpuBudget {
  const dir = makeGroup(`pathways-bench-${pid}`, cores);
  try {
    writeFileSync(join(dir, 'cgroup.procs'), String(pid));
  } catch (err) {
    removeGroup(dir);
    throw new Error(`Cannot hold process ${pid} to a CPU budget: ${err instanceof Error ? err.message : String(err)}`);
  }
  return { release: () => removeGroup(dir) };
}

/** Null where `limitCpu` works, else why not (a group is made and removed to find out; no process is moved). */
export function whyNoCpuBudget(): string | null {
  try {
    removeGroup(makeGroup(`pathways-bench-probe-${process.pid}`, 1));
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** A control group with a quota of `cores` CPUs per period; answers its folder. */
function makeGroup(name: string, cores: number): string {
  if (!(cores > 0)) throw new Error(`A CPU budget must be more than 0 cores (got ${cores}).`);
  const quota = Math.max(1000, Math.round(cores * PERIOD_US));
  const tried: string[] = [];
  if (existsSync(join(V1, 'cpu.cfs_quota_us'))) {
    const dir = join(V1, name);
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
      writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quota));
      return dir;
    } catch (err) {
      removeGroup(dir);
      tried.push(`cgroup v1 at ${V1}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  for (const root of V2) {
    if (!existsSync(join(root, 'cgroup.controllers'))) continue;
    if (!readFileSync(join(root, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('cpu')) {
      tried.push(`cgroup v2 at ${root}: no cpu controller`);
      continue;
    }
    const dir = join(root, name);
    try {
      writeFileSync(join(root, 'cgroup.subtree_control'), '+cpu');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'cpu.max'), `${quota} ${PERIOD_US}`);
      return dir;
    } catch (err) {
      removeGroup(dir);
      tried.push(`cgroup v2 at ${root}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  throw new Error(`Cannot hold a process to a CPU budget here (${tried.length > 0 ? tried.join('; ') : 'no cgroup cpu controller found'}).`);
}

/** Removes an empty group; one still holding a process stays (the kernel refuses) and is left. */
function removeGroup(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // Not there, or a process still in it: nothing to do.
  }
}
