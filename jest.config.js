/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2022' }, sourceMaps: 'inline' }] },
  reporters: ['default', '<rootDir>/test/reporters/summary-line.js'],
  // Integration tests start real HTTP servers and a browser; generous, since CI machines are shared.
  testTimeout: 60000,
};
