/** The e2e layer: a real n8n process. Not part of `npm test` (it installs n8n on Node 24). */
const base = require('./jest.config.js');
module.exports = { ...base, testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/n8n/'], testMatch: ['<rootDir>/test/e2e/**/*.test.ts'], testTimeout: 600_000, maxWorkers: 1 };
