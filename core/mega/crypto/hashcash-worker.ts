/**
 * Source of the hashcash worker thread, kept as plain JavaScript so `new Worker(source, { eval: true })`
 * runs it unchanged from ts-jest, tsx and the compiled dist alike (no file path or TS loader involved).
 * workerData: { token: Uint8Array(48), threshold: number, start: number, step: number, repeat: number }.
 * Posts the winning 32-bit counter (written little-endian as the 4-byte prefix), or -1 when exhausted.
 */
export const HASHCASH_WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { token, threshold, start, step, repeat } = workerData;
const buffer = Buffer.alloc(4 + token.length * repeat);
buffer.fill(Buffer.from(token), 4);
let found = -1;
for (let counter = start; counter <= 0xffffffff; counter += step) {
	buffer.writeUInt32LE(counter, 0);
	if (createHash('sha256').update(buffer).digest().readUInt32BE(0) <= threshold) {
		found = counter;
		break;
	}
}
parentPort.postMessage(found);
`;
