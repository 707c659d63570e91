/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2022' }, sourceMaps: 'inline' }] },
  // Integration tests start real HTTP servers; they are cheap but not instant on a shared 2-core box.
  testTimeout: 30000,
};
