/**
 * n8n-nodes-mega: n8n loads the nodes and credentials from package.json's `n8n` section.
 * This entry point exports the protocol core as a typed MEGA client that works without n8n.
 */
export * as megaCrypto from './core/mega/crypto';
export * as s4 from './core/s4';
