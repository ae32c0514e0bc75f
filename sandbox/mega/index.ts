/** The MEGA sandbox: a local MEGA API server for tests, benchmarks and the demo (never imported by core/ or nodes/). */
export { startMegaSandbox, MegaSandboxServer, SandboxHttpError } from './server';
export { SandboxClientError, SEED_ACCOUNTS } from './provision';
export { totpCode, randomTotpSecret } from './totp';
export { FaultSpecError } from './faults';
export type * from './types';
