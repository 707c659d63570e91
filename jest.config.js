/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Transpile only (tsconfig has isolatedModules): `npm test` type-checks separately with tsc.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  reporters: ['default', '<rootDir>/test/reporters/summary-line.js'],
  // Integration tests start real HTTP servers and a browser; generous, since CI machines are shared.
  testTimeout: 60000,
};
