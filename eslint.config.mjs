// ESLint (flat config) with typescript-eslint, run by `npm test` (npm run lint). Two rules from Temporal's samples
// (hello-world/.eslintrc.js): a promise nobody awaits is an error, and workflow files may not import Node's
// built-ins (workflow code runs in a deterministic sandbox; I/O belongs in activities).
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...new Set(builtinModules.map((m) => m.replace(/^node:/, '')))];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    ignores: ['src/workflows/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'workflow code is deterministic: Node built-ins belong in activities' })),
          patterns: [{ group: ['node:*'], message: 'workflow code is deterministic: Node built-ins belong in activities' }],
        },
      ],
    },
  },
);
