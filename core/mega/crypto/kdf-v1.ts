import { createCipheriv, type Cipher } from 'node:crypto';
import { assertLength } from './aes';
import { base64urlEncode } from './base64url';

/** prepare_key's starting value (MEGA's constant, big-endian words 93c467e3 7db0c7a4 d1be3f81 0152cb56). */
const PREPARE_KEY_SEED = Buffer.from('93c467e37db0c7a4d1be3f810152cb56', 'hex');
const PREPARE_KEY_ROUNDS = 65_536;
const STRINGHASH_ROUNDS = 16_384;
/** Work between two yields of deriveKeyV1Async: far below the 50 ms event-loop budget on Node 20 and 24. */
const SLICE_BUDGET_MS = 8;

/**
 * The bytes MEGA's clients derive from a string (web client `str_to_a32`, SDK `utf8_to_a32forjs`):
 * UTF-16 code unit i is shifted into byte slot i of a big-endian 32-bit word with 32-bit wrap-around,
 * so units above U+00FF spill into the preceding bytes of the same word. This differs from UTF-8 (megajs).
 */
export function passwordBytesV1(text: string): Buffer {
	const words = new Int32Array((text.length + 3) >> 2);
	for (let i = 0; i < text.length; i++) {
		words[i >> 2] |= text.charCodeAt(i) << (24 - (i & 3) * 8);
	}
	const bytes = Buffer.alloc(words.length * 4);
	words.forEach((word, index) => bytes.writeInt32BE(word, index * 4));
	return bytes;
}

/** Splits into 16-byte AES keys, zero-padding the last one. */
function passwordKeys(password: string): Buffer[] {
	const bytes = passwordBytesV1(password);
	const keys: Buffer[] = [];
	for (let offset = 0; offset < bytes.length; offset += 16) {
		const key = Buffer.alloc(16);
		bytes.copy(key, 0, offset, offset + 16);
		keys.push(key);
	}
	return keys;
}

/**
 * Repeated single-key encryption of one block is CBC over zero blocks: c_i = E(c_{i-1} ^ 0).
 * So `rounds` chained encryptions cost one OpenSSL call instead of one call per block.
 */
function encryptChained(key: Buffer, block: Buffer, rounds: number): Buffer {
	const cipher = createCipheriv('aes-128-cbc', key, block).setAutoPadding(false);
	const piece = Buffer.alloc(Math.min(rounds, 4096) * 16);
	let last = block;
	for (let remaining = rounds; remaining > 0; remaining -= piece.length / 16) {
		const out = cipher.update(remaining * 16 >= piece.length ? piece : piece.subarray(0, remaining * 16));
		last = out.subarray(out.length - 16);
	}
	return Buffer.from(last);
}

function ecbCiphers(keys: Buffer[]): Cipher[] {
	return keys.map((key) => createCipheriv('aes-128-ecb', key, null).setAutoPadding(false));
}

/** MEGA v1 `prepare_key`: 65,536 rounds of AES-ECB of the seed under each 16-byte password block in turn. Synchronous. */
export function deriveKeyV1(password: string): Buffer {
	const keys = passwordKeys(password);
	if (keys.length === 1) return encryptChained(keys[0], PREPARE_KEY_SEED, PREPARE_KEY_ROUNDS);
	const ciphers = ecbCiphers(keys);
	let block = Buffer.from(PREPARE_KEY_SEED);
	for (let round = 0; round < PREPARE_KEY_ROUNDS; round++) {
		for (const cipher of ciphers) block = cipher.update(block);
	}
	return block;
}

/**
 * Same result as deriveKeyV1, but passwords longer than 16 characters (60–160 ms of chained single-block AES)
 * are computed in slices of about 8 ms with a yield to the event loop in between.
 */
export async function deriveKeyV1Async(password: string, options: { signal?: AbortSignal } = {}): Promise<Buffer> {
	const keys = passwordKeys(password);
	if (keys.length === 1) return encryptChained(keys[0], PREPARE_KEY_SEED, PREPARE_KEY_ROUNDS);
	const ciphers = ecbCiphers(keys);
	let block = Buffer.from(PREPARE_KEY_SEED);
	let round = 0;
	while (round < PREPARE_KEY_ROUNDS) {
		options.signal?.throwIfAborted();
		const sliceStart = performance.now();
		do {
			const sliceEnd = Math.min(round + 256, PREPARE_KEY_ROUNDS);
			for (; round < sliceEnd; round++) {
				for (const cipher of ciphers) block = cipher.update(block);
			}
		} while (round < PREPARE_KEY_ROUNDS && performance.now() - sliceStart < SLICE_BUDGET_MS);
		if (round < PREPARE_KEY_ROUNDS) await new Promise<void>((resolve) => setImmediate(resolve));
	}
	return block;
}

/** MEGA v1 `stringhash` -> `uh`: e-mail (lower-cased, JS-string bytes) folded into 16 bytes, 16,384 AES rounds, words 0 and 2. */
export function userHashV1(email: string, passwordKey: Buffer): string {
	assertLength(passwordKey, 16, 'Password key');
	const bytes = passwordBytesV1(email.toLowerCase());
	const folded = Buffer.alloc(16);
	for (let i = 0; i < bytes.length; i++) folded[i & 15] ^= bytes[i];
	const hash = encryptChained(passwordKey, folded, STRINGHASH_ROUNDS);
	return base64urlEncode(Buffer.concat([hash.subarray(0, 4), hash.subarray(8, 12)]));
}
