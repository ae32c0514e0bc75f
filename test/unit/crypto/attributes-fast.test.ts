import { createDecipheriv, randomBytes, randomInt } from 'node:crypto';

import {
	AttributeDecryptError,
	aesCbcEncryptZeroIv,
	decryptAttributes,
	decryptAttributesFast,
	encryptAttributes,
	InvalidKeyError,
	packNodeKey,
	tryDecryptAttributes,
} from '../../../core/mega/crypto';

const ALPHABET = ['a', 'Z', '0', ' ', '.', '-', '"', '\\', '/', 'é', 'ß', '名', '前', '😀', '\u0000', '\n', '\u2028'];

function randomText(maxLength: number): string {
	let text = '';
	const length = randomInt(0, maxLength + 1);
	for (let i = 0; i < length; i++) text += ALPHABET[randomInt(ALPHABET.length)];
	return text;
}

/** Random attribute objects of MEGA's shape: a name, often a fingerprint, sometimes labels and unknown keys. */
function randomAttributes(): Record<string, unknown> {
	const attrs: Record<string, unknown> = { n: randomText(40) };
	if (randomInt(2) === 1) attrs.c = randomBytes(randomInt(20, 34)).toString('base64url');
	if (randomInt(4) === 0) attrs.lbl = randomInt(8);
	if (randomInt(4) === 0) attrs.fav = 1;
	if (randomInt(5) === 0) attrs.rr = randomBytes(6).toString('base64url');
	if (randomInt(6) === 0) attrs.x = { nested: [randomText(5), randomInt(1000), null, true] };
	return attrs;
}

function randomNodeKey(): Buffer {
	return randomInt(2) === 0 ? randomBytes(16) : packNodeKey(randomBytes(16), randomBytes(8), randomBytes(8));
}

describe('attributes fast path (pure-JS AES) against the node:crypto reference', () => {
	it('gives identical objects for random attributes, folder and file keys, bytes and base64url text', () => {
		for (let i = 0; i < 2_000; i++) {
			const attrs = randomAttributes();
			const key = randomNodeKey();
			const encrypted = encryptAttributes(attrs, key);
			const reference = decryptAttributes(encrypted, key);
			expect(reference).toEqual(attrs);
			expect(decryptAttributesFast(encrypted, key)).toEqual(reference);
			expect(tryDecryptAttributes(encrypted.toString('base64url'), key)).toEqual(reference);
		}
	});

	it('decrypts exactly the bytes node:crypto decrypts (AES-128-CBC, zero IV), block by block', () => {
		// Plaintexts that are whole blocks without a NUL: the decrypted text is the whole blob, so any wrong byte shows.
		for (let blocks = 1; blocks <= 70; blocks++) {
			const key = randomBytes(16);
			const body = randomBytes(blocks * 16 - 6).toString('hex').slice(0, blocks * 16 - 8);
			const plain = Buffer.from(`MEGA{"n":"${body}"}`.slice(0, blocks * 16 - 2) + '"}');
			expect(plain.length).toBe(blocks * 16);
			const encrypted = aesCbcEncryptZeroIv(key, plain);
			const viaNode = createDecipheriv('aes-128-cbc', key, Buffer.alloc(16)).setAutoPadding(false).update(encrypted);
			expect(viaNode.equals(plain)).toBe(true);
			expect(decryptAttributesFast(encrypted, key)).toEqual(JSON.parse(plain.subarray(4).toString('utf8')));
		}
	});

	it('handles blobs larger than its scratch space, and small ones after them', () => {
		const key = randomBytes(16);
		const big = { n: 'x'.repeat(10_000), c: '名'.repeat(3_000) };
		expect(tryDecryptAttributes(encryptAttributes(big, key).toString('base64url'), key)).toEqual(big);
		expect(decryptAttributesFast(encryptAttributes({ n: 'small' }, key), key)).toEqual({ n: 'small' });
	});

	it('reads unicode names byte-identically (multi-byte UTF-8 across block boundaries)', () => {
		const key = randomNodeKey();
		for (const name of ['Ünïcödé 文件 😀.txt', '😀'.repeat(31), 'ab😀cdefghijk😀', '\u2028\u2029 "quoted" \\ back', 'ǅ̀‍']) {
			const encrypted = encryptAttributes({ n: name }, key);
			const fast = tryDecryptAttributes(encrypted.toString('base64url'), key);
			expect(fast?.n).toBe(name);
			expect(Buffer.from(fast?.n as string, 'utf8').equals(Buffer.from(name, 'utf8'))).toBe(true);
		}
	});

	it('a wrong key is null / a typed AttributeDecryptError, never garbage names', () => {
		for (let i = 0; i < 1_000; i++) {
			const attrs = randomAttributes();
			const key = randomNodeKey();
			const encrypted = encryptAttributes(attrs, key);
			const wrong = key.length === 32 ? packNodeKey(randomBytes(16), key.subarray(16, 24), key.subarray(24, 32)) : randomBytes(16);
			expect(tryDecryptAttributes(encrypted.toString('base64url'), wrong)).toBeNull();
			expect(() => decryptAttributesFast(encrypted, wrong)).toThrow(AttributeDecryptError);
		}
	});

	it('a wrong key leaves no state behind: the next call with the right key still works', () => {
		const key = randomBytes(16);
		const encrypted = encryptAttributes({ n: 'after a failure' }, key);
		expect(tryDecryptAttributes(encrypted.toString('base64url'), randomBytes(16))).toBeNull();
		expect(tryDecryptAttributes(encrypted.toString('base64url'), key)).toEqual({ n: 'after a failure' });
	});

	it.each([
		['empty data', Buffer.alloc(0)],
		['a partial block', Buffer.alloc(20)],
		['not MEGA-prefixed', aesCbcEncryptZeroIv(Buffer.alloc(16, 7), Buffer.from('{"n":"x"}'))],
		['invalid JSON', aesCbcEncryptZeroIv(Buffer.alloc(16, 7), Buffer.from('MEGA{"n":"x"'))],
		['trailing garbage after the object', aesCbcEncryptZeroIv(Buffer.alloc(16, 7), Buffer.from('MEGA{"n":1}]'))],
	])('rejects %s like the reference does', (_name, data) => {
		const key = Buffer.alloc(16, 7);
		expect(() => decryptAttributes(data, key)).toThrow(AttributeDecryptError);
		expect(() => decryptAttributesFast(data, key)).toThrow(AttributeDecryptError);
		expect(tryDecryptAttributes(data.toString('base64url'), key)).toBeNull();
	});

	it('rejects keys of the wrong length with InvalidKeyError (null on the tree path)', () => {
		const encrypted = encryptAttributes({ n: 'x' }, randomBytes(16));
		for (const length of [0, 8, 15, 17, 24, 31, 33]) {
			expect(() => decryptAttributesFast(encrypted, randomBytes(length))).toThrow(InvalidKeyError);
			expect(tryDecryptAttributes(encrypted.toString('base64url'), randomBytes(length))).toBeNull();
		}
	});

	it('does not modify the caller\'s data or key', () => {
		const key = packNodeKey(randomBytes(16), randomBytes(8), randomBytes(8));
		const encrypted = encryptAttributes({ n: 'unchanged' }, key);
		const keyCopy = Buffer.from(key);
		const dataCopy = Buffer.from(encrypted);
		decryptAttributesFast(encrypted, key);
		expect(key.equals(keyCopy)).toBe(true);
		expect(encrypted.equals(dataCopy)).toBe(true);
	});
});
