import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'web/dist/', '.data/', 'test-results/', 'bench/results/', '**/*.svelte'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
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
  { files: ['web/src/**/*.ts'], languageOptions: { globals: { ...globals.browser } } },
  // Tests read loosely typed JSON replies from the API they exercise.
  { files: ['test/**/*.ts', 'bench/**/*.ts', '**/*.test.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);
