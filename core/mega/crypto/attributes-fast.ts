/**
 * Attribute decryption for many nodes (whole-tree search, recursive listings).
 *
 * Every node's attributes are AES-CBC under the node's own key, so node:crypto needs a fresh cipher per node. Its
 * per-cipher cost is ~2.5 µs on Node 20 and ~13 µs on Node 24 (OpenSSL 3.5 cipher fetch), which made 100,000 names
 * take 1.3–1.5 s on Node 24. A blob is only 2–6 blocks, so the audited pure-JS AES of @noble/ciphers (key schedule +
 * a few block decryptions) is the faster tool here. Measured in a loaded 100k-node tree (names only, 2-core machine):
 * node:crypto 0.37–0.45 s (Node 20) / 1.42–1.50 s (Node 24); noble `cbc()` 0.45–0.53 s / 0.38–0.48 s; noble's
 * key schedule + block function used directly (below: no per-call wrapper objects, in place) 0.36–0.40 s / 0.33–0.37 s.
 * The key schedule is most of it (~1.6 µs per node). The block-level functions are noble's `unsafe` export; the
 * version is pinned exactly in package.json and test/unit/crypto/attributes-fast.test.ts checks them against
 * node:crypto, so an upgrade that changes them fails loudly. Same format and checks as `decryptAttributes` (the
 * node:crypto reference, kept for single blobs).
 */
import { createDecipheriv } from 'node:crypto';
import { endianness } from 'node:os';

import { unsafe } from '@noble/ciphers/aes';

import { AttributeDecryptError, InvalidKeyError } from './errors';

/** `MEGA{"` */
const PREFIX = [0x4d, 0x45, 0x47, 0x41, 0x7b, 0x22];

// Scratch space reused by every call (the work is synchronous, so no two calls share it at once). Both are their own
// ArrayBuffers, so 32-bit aligned: the blob is decrypted in place, as words.
let scratch = Buffer.alloc(1024);
let scratchWords = new Uint32Array(scratch.buffer, 0, scratch.length >> 2);
const foldedKey = Buffer.alloc(16);
/** noble's block functions work on little-endian words; a big-endian host takes node:crypto. */
const LITTLE_ENDIAN = endianness() === 'LE';
const ZERO_IV_BUFFER = Buffer.alloc(16);

/** AES-128-CBC decryption with a zero IV of `scratch[0, length)`, in place. */
function decryptScratchInPlace(aesKey: Buffer, length: number): void {
	if (!LITTLE_ENDIAN) {
		createDecipheriv('aes-128-cbc', aesKey, ZERO_IV_BUFFER).setAutoPadding(false).update(scratch.subarray(0, length)).copy(scratch, 0);
		return;
	}
	const roundKeys = unsafe.expandKeyDecLE(aesKey);
	const words = scratchWords;
	let p0 = 0;
	let p1 = 0;
	let p2 = 0;
	let p3 = 0;
	for (let i = 0; i < length >> 2; i += 4) {
		const c0 = words[i];
		const c1 = words[i + 1];
		const c2 = words[i + 2];
		const c3 = words[i + 3];
		const plain = unsafe.decrypt(roundKeys, c0, c1, c2, c3);
		words[i] = plain.s0 ^ p0;
		words[i + 1] = plain.s1 ^ p1;
		words[i + 2] = plain.s2 ^ p2;
		words[i + 3] = plain.s3 ^ p3;
		p0 = c0;
		p1 = c1;
		p2 = c2;
		p3 = c3;
	}
	roundKeys.fill(0);
}

type Outcome = Record<string, unknown> | 'length' | 'key' | 'prefix' | 'json' | 'shape';

function decryptInto(data: string | Buffer, nodeKey: Buffer): Outcome {
	let aesKey: Buffer;
	if (nodeKey.length === 32) {
		for (let i = 0; i < 16; i++) foldedKey[i] = nodeKey[i] ^ nodeKey[i + 16];
		aesKey = foldedKey;
	} else if (nodeKey.length === 16) {
		aesKey = foldedKey;
		nodeKey.copy(foldedKey, 0, 0, 16);
	} else {
		return 'key';
	}
	let length = 0;
	try {
		// base64url text: at most 3 bytes per 4 characters.
		const room = typeof data === 'string' ? Math.ceil((data.length * 3) / 4) : data.length;
		if (room > scratch.length) {
			scratch = Buffer.alloc(Math.ceil(Math.max(room, scratch.length * 2) / 16) * 16);
			scratchWords = new Uint32Array(scratch.buffer, 0, scratch.length >> 2);
		}
		length = typeof data === 'string' ? scratch.write(data, 0, 'base64url') : data.copy(scratch, 0);
		if (length === 0 || length % 16 !== 0) return 'length';
		decryptScratchInPlace(aesKey, length);
		for (let i = 0; i < PREFIX.length; i++) if (scratch[i] !== PREFIX[i]) return 'prefix';
		let end = scratch.indexOf(0, 4);
		if (end < 0 || end > length) end = length;
		let parsed: unknown;
		try {
			parsed = JSON.parse(scratch.toString('utf8', 4, end));
		} catch {
			return 'json';
		}
		return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : 'shape';
	} finally {
		scratch.fill(0, 0, length);
		foldedKey.fill(0);
	}
}

/**
 * The tree's hot path: base64url attributes (`a` as MEGA sends it) under a 16-byte folder key or a 32-byte file key.
 * Returns null when the key does not fit or the data is not `MEGA{…}` (never garbage), without the cost of a throw.
 */
export function tryDecryptAttributes(data: string | Buffer, nodeKey: Buffer): Record<string, unknown> | null {
	const outcome = decryptInto(data, nodeKey);
	return typeof outcome === 'object' ? outcome : null;
}

const FAILURES: Record<Exclude<Outcome, Record<string, unknown>>, string> = {
	length: 'Encrypted attributes must be a non-empty multiple of 16 bytes',
	key: 'Node key must be 16 (folder) or 32 (file) bytes',
	prefix: 'Attributes did not decrypt to MEGA{…}: wrong key or corrupt data',
	json: 'Decrypted attributes are not valid JSON: wrong key or corrupt data',
	shape: 'Decrypted attributes are not a JSON object',
};

/** Same contract as `decryptAttributes` (bytes in, AttributeDecryptError / InvalidKeyError out), pure-JS AES inside. */
export function decryptAttributesFast(data: Buffer, key: Buffer): Record<string, unknown> {
	if (!Buffer.isBuffer(key)) throw new InvalidKeyError(`Node key must be 16 (folder) or 32 (file) bytes, got ${typeof key}`);
	if (!Buffer.isBuffer(data)) throw new AttributeDecryptError(`${FAILURES.length}, got ${typeof data}`);
	const outcome = decryptInto(data, key);
	if (typeof outcome === 'object') return outcome;
	if (outcome === 'key') throw new InvalidKeyError(`${FAILURES.key}, got ${key.length}`);
	throw new AttributeDecryptError(outcome === 'length' ? `${FAILURES.length}, got ${data.length}` : FAILURES[outcome]);
}
