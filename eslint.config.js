// Lint: the recommended rules of eslint and typescript-eslint, plus the few that keep the code honest.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['node_modules/', '.open-dcr/', 'bench/results/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', Response: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', structuredClone: 'readonly', fetch: 'readonly', crypto: 'readonly' } },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'eqeqeq': ['error', 'always'],
      'no-restricted-syntax': ['error',
        { selector: 'TSEnumDeclaration', message: 'Erasable syntax only: use a union of string literals.' },
        { selector: 'TSModuleDeclaration[kind="namespace"]', message: 'Erasable syntax only: no namespaces.' },
        { selector: 'TSParameterProperty', message: 'Erasable syntax only: declare the field.' }],
    },
  },
  { files: ['src/cli/**', 'scripts/**', 'bench/**', 'src/sandbox/start.ts'], rules: { 'no-console': 'off' } },
)
