/**
 * `npm run bench [-- NAME…]`: runs each benchmark module in turn (or only those named) and
 * prints every figure in one table. A module is a file exporting `bench: BenchModule`;
 * add yours to BENCHES. Figures are measured, never asserted: this is not a timed test.
 */
import type { BenchModule, Figure } from './bench-types.ts';

/** Benchmark modules, in run order. Add one line per module. */
const BENCHES: Array<() => Promise<{ bench: BenchModule }>> = [
  () => import('./engine.ts'),
  () => import('./seed.ts'),
  () => import('./api.ts'),
  () => import('./metrics.ts'),
  () => import('./live.ts'),
  () => import('./web.ts'),
  () => import('./people-search.ts'),
  () => import('./nodes.ts'),
  () => import('./flood.ts'),
  () => import('./live-nodes.ts'),
];

function formatValue(value: number | string): string {
  if (typeof value === 'string') return value;
  if (Number.isInteger(value)) return value.toLocaleString('en-GB');
  return value.toLocaleString('en-GB', { maximumFractionDigits: value < 10 ? 2 : 0 });
}

function printTable(rows: Array<Figure & { bench: string }>): void {
  const cells = rows.map((r) => [r.bench, r.name, `${formatValue(r.value)}${r.unit ? ` ${r.unit}` : ''}`, r.note ?? '']);
  const header = ['bench', 'figure', 'value', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i === 2 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const c of cells) console.log(line(c));
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const modules = await Promise.all(BENCHES.map(async (load) => (await load()).bench));
  const chosen = wanted.length > 0 ? modules.filter((m) => wanted.includes(m.name)) : modules;
  if (chosen.length === 0) {
    console.error(`No benchmark named ${wanted.join(', ')}. Known: ${modules.map((m) => m.name).join(', ')}.`);
    process.exitCode = 2;
    return;
  }
  const rows: Array<Figure & { bench: string }> = [];
  for (const module of chosen) {
    console.log(`\n== ${module.name}: ${module.summary}`);
    const started = performance.now();
    const figures = await module.run();
    console.log(`   (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    rows.push(...figures.map((f) => ({ ...f, bench: module.name })));
  }
  printTable(rows);
}

await main();
