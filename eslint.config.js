// Lint with type information: floating promises and non-exhaustive switches are the
// mistakes that cost most in an engine that writes care records.
//
// The folder boundaries (docs/ARCHITECTURE.md, "Folders") are checked here too: each
// folder's files may import only what the table allows, so the tree keeps showing the flow.
import tseslint from 'typescript-eslint';

/** A relative import climbing out of the current folder into one of `folders` at the top of the tree. */
const into = (folders) => `^(\\.\\./)+(${folders.join('|')})(/|$)`;

/** `no-restricted-imports` with the given regular expressions (and bare module names). */
const restrict = (patterns, paths = []) => ({
  'no-restricted-imports': 'off',
  '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }],
});

export default tseslint.config(
  { ignores: ['node_modules', 'data', 'dist', 'web/dist', 'coverage', 'test-artifacts', 'scratch', 'bin/*.js', 'eslint.config.js'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
    },
  },
  {
    // machines/: pure statecharts and vocabulary; nothing of ours outside it, no package but xstate.
    files: ['machines/**/*.ts'],
    rules: restrict([
      { regex: '^\\.\\./', message: 'machines/ is pure: import only from machines/ itself and xstate.' },
      { regex: '^(?!xstate(/|$)|\\./)', message: 'machines/ is pure: no packages but xstate, no node: modules.' },
    ]),
  },
  {
    // src/: the engine and domain services; no HTTP, no process wiring, no browser app, no seed data.
    files: ['src/**/*.ts'],
    rules: restrict([{ regex: into(['api', 'cli', 'web', 'seeds', 'bench', 'test']), message: 'src/ imports only src/ and machines/ (the engine knows nothing of HTTP, the command line, the web app or the seeds).' }]),
  },
  {
    // api/: HTTP only; queries live in src/ services.
    files: ['api/**/*.ts'],
    rules: restrict(
      [
        { regex: into(['cli', 'web', 'seeds', 'bench', 'test']), message: 'api/ imports only api/, src/ and machines/.' },
        { regex: '^kysely/', message: 'api/ runs no queries: call a src/ service.' },
      ],
      [{ name: 'kysely', message: 'api/ runs no queries: call a src/ service (src/<feature>/…).' }],
    ),
  },
  {
    // seeds/: reference data and the synthetic cohort, written through src/.
    files: ['seeds/**/*.ts'],
    rules: restrict([{ regex: into(['api', 'cli', 'web', 'bench', 'test']), message: 'seeds/ imports only seeds/, src/ and machines/.' }]),
  },
  {
    // cli/: composes the others; the browser app is served from its build, never imported.
    files: ['cli/**/*.ts'],
    rules: restrict([{ regex: into(['web', 'bench', 'test']), message: 'cli/ composes src/, api/, seeds/ and machines/; the web app is served from web/dist.' }]),
  },
  {
    // web/: the browser app shares only the API's schemas and the pure machines.
    files: ['web/**/*.ts', 'web/**/*.tsx'],
    rules: restrict([
      { regex: into(['src', 'cli', 'seeds', 'bench', 'test']), message: 'web/ imports only api/schemas/ and machines/.' },
      { regex: '^(\\.\\./)+api/(?!schemas/)', message: 'web/ imports only api/schemas/ and machines/.' },
    ]),
  },
);
