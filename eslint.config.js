import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import svelte from 'eslint-plugin-svelte';

/**
 * Each role folder may import only the layers below it, so arrows point down toward domain/:
 * domain ← config ← adapters ← db ← activities ← worker, and api beside the worker. Tests and scripts
 * compose the roles and are free. A rule per depth, so `../../db/` in api/services/ means the top-level db/.
 */
const ROLES = ['domain', 'config', 'adapters', 'db', 'migrations', 'activities', 'workflows', 'worker', 'api', 'web', 'scripts', 'bench', 'test'];
const MAY_IMPORT = {
  config: ['domain'],
  adapters: ['domain', 'config'],
  db: ['domain', 'config', 'adapters', 'migrations'],
  migrations: ['domain', 'db'],
  activities: ['domain', 'config', 'adapters', 'db'],
  worker: ['domain', 'config', 'adapters', 'db', 'activities', 'workflows'],
  api: ['domain', 'config', 'adapters', 'db', 'workflows'],
};
/**
 * Only db/ talks to Postgres (and migrations/, scripts and tests, which drive it as a tool). The roles
 * above it hold a `Database` and hand it to db/'s stores: they import neither driver, nor the models,
 * and never call a query or a transaction on it themselves.
 */
const DATA_LAYER_CLIENTS = ['config', 'adapters', 'activities', 'worker', 'api'];
const DRIVERS = ['sequelize', 'pg', 'pg-pool', 'pg-cursor'].map((name) => ({ name, message: 'only db/ talks to Postgres: call a store or function of db/.' }));
const modelsOf = (depth) => ({ regex: `^${'\\.\\./'.repeat(depth)}db/models\\.js$`, message: 'models are db/\'s own: call a store or function of db/.' });
const NO_SQL_CALLS = ['error', ...['name', 'property.name'].map((key) => ({
  selector: `CallExpression[callee.property.name=/^(query|transaction)$/][callee.object.${key}=/^(sequelize|db|database)$/]`,
  message: 'SQL and transactions live in db/: add a store function there and call it.',
}))];

const roleBoundaries = Object.entries(MAY_IMPORT).flatMap(([role, allowed]) => {
  const refused = ROLES.filter((r) => r !== role && !allowed.includes(r));
  const dataClient = DATA_LAYER_CLIENTS.includes(role);
  return [1, 2, 3].map((depth) => ({
    files: [`${role}/${'*/'.repeat(depth - 1)}*.ts`],
    ignores: [`${role}/**/*.test.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        ...(dataClient ? { paths: DRIVERS } : {}),
        patterns: [
          {
            regex: `^${'\\.\\./'.repeat(depth)}(${refused.join('|')})/`,
            message: `${role}/ may import only ${allowed.join(', ')}; shared code belongs in adapters/.`,
          },
          ...(dataClient ? [modelsOf(depth)] : []),
        ],
      }],
      ...(dataClient ? { 'no-restricted-syntax': NO_SQL_CALLS } : {}),
    },
  }));
});

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'web/dist/', '.data/', 'test-results/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: only the workflow SDK and pure domain code.
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          {
            regex: '^(?!@temporalio/workflow$|\\.\\./domain/|\\.\\./activities/|\\./)',
            message: 'workflows/ may import only @temporalio/workflow and domain/.',
          },
          {
            regex: '^\\.\\./activities/',
            allowTypeImports: true,
            message: 'workflows/ may import activities as types only.',
          },
        ],
      }],
    },
  },
  {
    // The delivery workflow's own modules, one folder down: the same sandbox, reached one level further.
    files: ['workflows/*/**/*.ts'],
    ignores: ['workflows/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          {
            regex: '^(?!@temporalio/workflow$|\\.\\./\\.\\./domain/|\\.\\./\\.\\./activities/|\\.\\./[a-z-]+\\.js$|\\./)',
            message: 'workflows/ may import only @temporalio/workflow and domain/.',
          },
          {
            regex: '^\\.\\./\\.\\./activities/',
            allowTypeImports: true,
            message: 'workflows/ may import activities as types only.',
          },
        ],
      }],
    },
  },
  {
    files: ['domain/**/*.ts'],
    ignores: ['domain/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '^(?!zod$|\\./)', message: 'domain/ is pure: only zod and other domain modules.' }],
      }],
    },
  },
  {
    // One folder down, `../` is still domain/; `../../` is not.
    files: ['domain/*/**/*.ts'],
    ignores: ['domain/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '^(?!zod$|\\./|\\.\\./(?!\\.\\./))', message: 'domain/ is pure: only zod and other domain modules.' }],
      }],
    },
  },
  ...roleBoundaries,
  {
    // The web talks to the server only through the API; it shares domain/ and nothing else.
    files: ['web/src/**/*.ts', 'web/src/**/*.svelte'],
    ignores: ['web/src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '^(\\.\\./)+(config|adapters|db|migrations|activities|workflows|worker|api|scripts)/', message: 'web/ may import only domain/ and its own modules.' }],
      }],
    },
  },
  {
    // Svelte 5 components and `*.svelte.ts` state classes: TypeScript inside, run in the browser.
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { globals: { ...globals.browser }, parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  { files: ['web/src/**/*.ts'], languageOptions: { globals: { ...globals.browser } } },
  // Tests read loosely typed JSON replies from the API they exercise.
  { files: ['test/**/*.ts', 'bench/**/*.ts', '**/*.test.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);
