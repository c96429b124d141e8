// Two projects: unit specs beside the code, end-to-end specs in test/ that run
// over HTTP against real MariaDB and SQLite databases (TEST_DATABASES selects).
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
};
const moduleNameMapper = {
  '^@tessera/auth-guard$': '<rootDir>/libs/auth-guard/src',
  '^@tessera/auth-guard/(.*)$': '<rootDir>/libs/auth-guard/src/$1',
};

module.exports = {
  testTimeout: 60000,
  projects: [
    {
      displayName: 'unit',
      rootDir: __dirname,
      roots: ['<rootDir>/apps', '<rootDir>/libs'],
      testRegex: '\\.spec\\.ts$',
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
    },
    {
      displayName: 'e2e',
      rootDir: __dirname,
      roots: ['<rootDir>/test'],
      testRegex: '\\.e2e-spec\\.ts$',
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
    },
  ],
};
