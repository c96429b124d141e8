// ESLint flat config: typescript-eslint's recommended type-aware rules, Prettier owns formatting.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      'node_modules/**',
      'coverage/**',
      'eslint.config.mjs',
      'jest.config.js',
      // Plain ESM scripts run on demand, outside the TypeScript project that typed linting needs.
      'bench/**/*.mjs',
      // Compiled builds kept for bench/compare-builds.mjs.
      'bench/builds/**',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
  {
    // STYLE.md: the guard library uses no app. It is packed and installed by
    // services outside this repository, where apps/ does not exist.
    files: ['libs/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)apps(/|$)',
              message: 'libs/ must not import from apps/: the library is packed on its own.',
            },
            {
              regex: '^@tessera/auth-guard(/|$)',
              message:
                'import the library by relative path inside libs/: the alias does not exist in the package.',
            },
          ],
        },
      ],
    },
  },
);
