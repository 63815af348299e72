/**
 * The house rules are checks, not advice: `npm test` lints (with the folder boundaries of
 * docs/ARCHITECTURE.md) and looks for unused files and exports (knip) before any suite
 * runs. Here: the script really runs both, and each boundary really refuses a crossing
 * and lets the allowed imports through (the repository's own rules, on probe files).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const RULE = '@typescript-eslint/no-restricted-imports';

describe('house rules in npm test', () => {
  it('npm test type-checks, lints the whole tree and runs knip before the suites', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const steps = pkg.scripts.test!.split('&&').map((s) => s.trim());
    expect(steps).toEqual(['npm run typecheck', 'npm run lint', 'npm run knip', 'vitest run']);
    expect(pkg.scripts.lint).toBe('eslint .');
    expect(pkg.scripts.knip).toMatch(/^knip\b/);
  });

  describe('import boundaries', () => {
    let eslint: ESLint;
    beforeAll(async () => {
      const config = ((await import(join(ROOT, 'eslint.config.js'))) as { default: Linter.Config[] }).default;
      // Only the boundary rules, without type information: the probes are not project files.
      const boundaries = config.filter((c) => c.files !== undefined && c.rules?.[RULE] !== undefined);
      expect(boundaries.length).toBeGreaterThanOrEqual(6);
      eslint = new ESLint({
        cwd: ROOT,
        overrideConfigFile: true,
        overrideConfig: [{ files: ['**/*.ts', '**/*.tsx'], languageOptions: { parser: tseslint.parser }, plugins: { '@typescript-eslint': tseslint.plugin } }, ...boundaries],
      });
    });

    async function crossings(file: string, specifier: string): Promise<string[]> {
      const [result] = await eslint.lintText(`import { x } from '${specifier}';\nexport const y = x;\n`, { filePath: join(ROOT, file) });
      return (result?.messages ?? []).filter((m) => m.ruleId === RULE).map((m) => m.message);
    }

    it.each([
      ['machines/probe.ts', '../src/errors.ts'],
      ['machines/probe.ts', 'zod'],
      ['machines/probe.ts', 'node:fs'],
      ['src/engine/probe.ts', '../../api/app.ts'],
      ['src/engine/probe.ts', '../../cli/main.ts'],
      ['src/probe.ts', '../seeds/demo-area.ts'],
      ['src/metrics/measures/probe.ts', '../../../web/src/app.tsx'],
      ['api/routes/probe.ts', 'kysely'],
      ['api/routes/probe.ts', '../../cli/config.ts'],
      ['api/probe.ts', '../seeds/cohort.ts'],
      ['web/src/manager/probe.tsx', '../../../src/metrics/definitions.ts'],
      ['web/src/manager/probe.tsx', '../../../api/routes/metrics-routes.ts'],
      ['seeds/probe.ts', '../api/app.ts'],
      ['cli/probe.ts', '../web/src/app.tsx'],
    ])('%s may not import %s', async (file, specifier) => {
      expect((await crossings(file, specifier)).length).toBeGreaterThan(0);
    });

    it.each([
      ['machines/probe.ts', 'xstate'],
      ['machines/probe.ts', './codes.ts'],
      ['src/engine/probe.ts', '../../machines/index.ts'],
      ['src/engine/probe.ts', '../db/schema.ts'],
      ['src/engine/probe.ts', 'kysely'],
      ['api/routes/probe.ts', '../../src/errors.ts'],
      ['api/routes/probe.ts', '../schemas/case.ts'],
      ['web/src/manager/probe.tsx', '../../../api/schemas/metrics.ts'],
      ['web/src/manager/probe.tsx', '../../../machines/index.ts'],
      ['web/src/manager/probe.tsx', 'react'],
      ['seeds/probe.ts', '../src/engine/engine.ts'],
      ['cli/probe.ts', '../api/app.ts'],
      ['cli/commands/probe.ts', '../../seeds/demo-area.ts'],
      ['bench/probe.ts', '../cli/commands/serve.ts'],
      ['test/api/probe.ts', '../../api/app.ts'],
    ])('%s may import %s', async (file, specifier) => {
      expect(await crossings(file, specifier)).toEqual([]);
    });
  });
});
