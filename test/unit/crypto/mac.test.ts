import { randomBytes } from 'node:crypto';
import { decrypt as megajsDecrypt, encrypt as megajsEncrypt, verify as megajsVerify } from 'megajs';
import type { Transform } from 'node:stream';
import {
	chunkBoundaries,
	chunkMac,
	condenseMacs,
	ctrAt,
	InvalidKeyError,
	metaMac,
	MetaMacAccumulator,
	MissingChunkMacError,
	packNodeKey,
	unpackNodeKey,
} from '../../../core/mega/crypto';
import { chunkMacReference, condenseReference, metaMacReference, referenceChunks } from './reference';

const K = 1024;
const M = K * K;

/** Runs a megajs crypto Transform over data (copied: megajs overwrites its input in place). */
function runMegajs(stream: Transform, data: Buffer): Promise<{ output: Buffer; stream: Transform & { key?: Buffer; mac?: Buffer } }> {
	const parts: Buffer[] = [];
	return new Promise((resolve, reject) => {
		stream.on('data', (part: Buffer) => parts.push(part));
		stream.on('error', reject);
		stream.on('finish', () => setImmediate(() => resolve({ output: Buffer.concat(parts), stream })));
		stream.on('end', () => resolve({ output: Buffer.concat(parts), stream }));
		for (let offset = 0; offset < data.length; offset += 64 * K) stream.write(Buffer.from(data.subarray(offset, offset + 64 * K)));
		stream.end();
	});
}

/** True when the last 16-byte block (zero-padded) of a file of this size ends exactly on a chunk boundary. */
function lastBlockEndsOnBoundary(size: number): boolean {
	const padded = Math.ceil(size / 16) * 16;
	return size === 0 || referenceChunks(padded + 1).some(([start]) => start === padded);
}

describe('chunk MAC and meta-MAC', () => {
	const key = randomBytes(16);
	const nonce = randomBytes(8);

	it('chunkMac equals the block-by-block CBC-MAC, with a zero-padded tail', () => {
		for (const size of [1, 15, 16, 17, 1000, 131072]) {
			const chunk = randomBytes(size);
			expect(chunkMac(key, nonce, chunk)).toEqual(chunkMacReference(key, nonce, chunk));
		}
	});

	it('condenseMacs folds words 0^1 and 2^3', () => {
		const macs = [randomBytes(16), randomBytes(16), randomBytes(16)];
		expect(condenseMacs(key, macs)).toEqual(condenseReference(key, macs));
		expect(condenseMacs(key, [])).toEqual(Buffer.alloc(8));
	});

	it('streaming, out-of-order and one-shot forms agree with the reference', () => {
		const data = randomBytes(2 * M + 12345);
		const expected = metaMacReference(key, nonce, data);
		expect(metaMac(key, nonce, data)).toEqual(expected);

		const streaming = new MetaMacAccumulator(key, nonce);
		for (let offset = 0, step = 1; offset < data.length; offset += step, step = (step * 7 + 13) % 70000) {
			streaming.update(data.subarray(offset, offset + step));
		}
		expect(streaming.bytes).toBe(data.length);
		expect(streaming.digest(data.length)).toEqual(expected);

		const parallel = new MetaMacAccumulator(key, nonce);
		const chunks = chunkBoundaries(data.length);
		expect(chunks).toHaveLength(6);
		for (const index of [3, 0, 5, 4, 2, 1]) parallel.addChunk(index, data.subarray(...chunks[index]));
		expect(parallel.digest(data.length)).toEqual(expected);

		const premade = new MetaMacAccumulator(key, nonce);
		chunks.reverse().forEach(([start, end], reversed) => premade.addChunkMac(chunks.length - 1 - reversed, chunkMac(key, nonce, data.subarray(start, end))));
		expect(premade.digest()).toEqual(expected);
	});

	// megajs appends an extra chunk MAC (nonce‖nonce) when the size is 0 or ends exactly on a chunk boundary;
	// MEGA's SDK (chunkmac_map::macsmac) and go-mega condense only the chunks that exist. We follow the SDK, so these
	// sizes are checked against the hand-built reference instead of megajs (crypto-performance.md §2.1).
	// megajs counts its position in whole 16-byte blocks, so the same happens when the zero-padded last block ends on
	// a boundary (sizes boundary-15 .. boundary-1, e.g. 131071): found by this cross-check, treated the same way.
	it.each([0, 128 * K, 384 * K, 4608 * K, 4608 * K + M, 128 * K - 1, 384 * K - 15])('boundary size %d follows the SDK, not megajs', async (size) => {
		expect(lastBlockEndsOnBoundary(size)).toBe(true);
		const data = randomBytes(size);
		const ours = metaMac(key, nonce, data);
		expect(ours).toEqual(metaMacReference(key, nonce, data));
		if (size === 0) expect(ours).toEqual(Buffer.alloc(8));
		const { stream } = await runMegajs(megajsEncrypt(Buffer.concat([key, nonce])), data);
		const megajsMacs = [...referenceChunks(size).map(([s, e]) => chunkMacReference(key, nonce, data.subarray(s, e))), Buffer.concat([nonce, nonce])];
		expect(stream.mac).toEqual(condenseReference(key, megajsMacs));
		expect(stream.mac).not.toEqual(ours);
	});

	const sizes = [1, 15, 16, 17, 31, 4095, 65537, 128 * K - 16, 131073, 200000, 384 * K - 16, 393217, 1 * M + 5, 4608 * K - 17, 4608 * K + 1, 5 * M + 123, 7 * M + 1];
	it.each(sizes)('matches megajs encrypt/decrypt/verify at %d bytes', async (size) => {
		expect(lastBlockEndsOnBoundary(size)).toBe(false);
		const data = randomBytes(size);
		const nodeKey = packNodeKey(key, nonce, metaMac(key, nonce, data));
		const ciphertext = ctrAt(key, nonce, 0, data);

		const encrypted = await runMegajs(megajsEncrypt(Buffer.concat([key, nonce])), data);
		expect(encrypted.output.equals(ciphertext)).toBe(true);
		expect(encrypted.stream.key).toEqual(nodeKey);

		const decrypted = await runMegajs(megajsDecrypt(nodeKey), ciphertext);
		expect(decrypted.output.equals(data)).toBe(true);
		await expect(runMegajs(megajsVerify(nodeKey), data)).resolves.toBeDefined();

		const tampered = Buffer.from(nodeKey);
		tampered[31] ^= 1;
		await expect(runMegajs(megajsVerify(tampered), data)).rejects.toThrow(/MAC verification failed/);
		expect(unpackNodeKey(nodeKey).metaMac).toEqual(metaMacReference(key, nonce, data));
	});

	it('refuses a digest with missing, extra or duplicate chunks', () => {
		const data = randomBytes(500 * K);
		const chunks = chunkBoundaries(data.length);
		const accumulator = new MetaMacAccumulator(key, nonce).addChunk(0, data.subarray(...chunks[0])).addChunk(2, data.subarray(...chunks[2]));
		expect(() => accumulator.digest()).toThrow(MissingChunkMacError);
		expect(() => accumulator.digest(data.length)).toThrow(/missing 1/);
		expect(() => accumulator.addChunk(0, data.subarray(...chunks[0]))).toThrow(MissingChunkMacError);
		accumulator.addChunk(1, data.subarray(...chunks[1]));
		expect(() => accumulator.digest(100)).toThrow(MissingChunkMacError);
		expect(accumulator.digest(data.length)).toEqual(metaMacReference(key, nonce, data));
	});

	it.each([
		['short key', () => metaMac(Buffer.alloc(8), nonce, Buffer.alloc(1))],
		['short nonce', () => chunkMac(key, Buffer.alloc(4), Buffer.alloc(1))],
		['short chunk MAC', () => new MetaMacAccumulator(key, nonce).addChunkMac(0, Buffer.alloc(8))],
		['short MAC to condense', () => condenseMacs(key, [Buffer.alloc(15)])],
	])('rejects %s with InvalidKeyError', (_name, run) => {
		expect(run).toThrow(InvalidKeyError);
	});

	it('rejects a negative chunk index', () => {
		expect(() => new MetaMacAccumulator(key, nonce).addChunkMac(-1, Buffer.alloc(16))).toThrow(RangeError);
	});
});
