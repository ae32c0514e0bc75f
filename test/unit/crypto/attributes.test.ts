import { createDecipheriv, randomBytes } from 'node:crypto';
import {
	AttributeDecryptError,
	aesCbcEncryptZeroIv,
	decryptAttributes,
	encryptAttributes,
	InvalidKeyError,
	packNodeKey,
} from '../../../core/mega/crypto';

function rawDecrypt(key: Buffer, data: Buffer): Buffer {
	return createDecipheriv('aes-128-cbc', key, Buffer.alloc(16)).setAutoPadding(false).update(data);
}

describe('attributes', () => {
	const key = randomBytes(16);

	it('encrypts MEGA + JSON, zero-padded, with AES-CBC and a zero IV', () => {
		const encrypted = encryptAttributes({ n: 'Ünïcödé 文件 😀.txt' }, key);
		const plain = rawDecrypt(key, encrypted);
		const text = 'MEGA{"n":"Ünïcödé 文件 😀.txt"}';
		const length = Buffer.byteLength(text);
		expect(encrypted.length).toBe(Math.ceil(length / 16) * 16);
		expect(plain.subarray(0, length).toString('utf8')).toBe(text);
		expect(plain.subarray(length)).toEqual(Buffer.alloc(encrypted.length - length));
	});

	it('round-trips, including with a 32-byte file key folded to its AES key', () => {
		const attrs = { n: 'report.pdf', c: 'AAAAAAAAAAAAAAAAAAAAAAQ', lbl: 3, fav: 1 };
		expect(decryptAttributes(encryptAttributes(attrs, key), key)).toEqual(attrs);
		const fileKey = packNodeKey(key, randomBytes(8), randomBytes(8));
		expect(decryptAttributes(encryptAttributes(attrs, fileKey), fileKey)).toEqual(attrs);
		// The folded file key is the plain AES key, so both decrypt the same bytes.
		expect(decryptAttributes(encryptAttributes(attrs, fileKey), key)).toEqual(attrs);
	});

	it('decrypts attributes written by another client with a whole-block JSON (no NUL terminator)', () => {
		const text = Buffer.from('MEGA{"n":"abcdefghijkl"}'); // 24 bytes
		const padded = Buffer.concat([text, Buffer.alloc(8)]);
		expect(decryptAttributes(aesCbcEncryptZeroIv(key, padded), key)).toEqual({ n: 'abcdefghijkl' });
		const exact = Buffer.from('MEGA{"n":"abcdefghijklmnopqrst"}'); // 32 bytes, no padding at all
		expect(decryptAttributes(aesCbcEncryptZeroIv(key, exact), key)).toEqual({ n: 'abcdefghijklmnopqrst' });
	});

	it('a wrong key is a typed error, never garbage names', () => {
		const encrypted = encryptAttributes({ n: 'secret.txt' }, key);
		for (let i = 0; i < 200; i++) {
			expect(() => decryptAttributes(encrypted, randomBytes(16))).toThrow(AttributeDecryptError);
		}
	});

	it.each([
		['empty data', Buffer.alloc(0)],
		['partial block', Buffer.alloc(20)],
		['not MEGA-prefixed', aesCbcEncryptZeroIv(randomBytes(16), Buffer.from('MEGA{"n":"x"}'))],
		['invalid JSON', null],
		['trailing garbage', null],
	])('rejects %s', (name, data) => {
		let input = data;
		if (name === 'invalid JSON') input = aesCbcEncryptZeroIv(key, Buffer.from('MEGA{"n":"x"'));
		if (name === 'trailing garbage') input = aesCbcEncryptZeroIv(key, Buffer.from('MEGA{"n":1}]'));
		expect(() => decryptAttributes(input as Buffer, key)).toThrow(AttributeDecryptError);
	});

	it('rejects keys of the wrong size and non-object attributes', () => {
		expect(() => encryptAttributes({ n: 'x' }, Buffer.alloc(8))).toThrow(InvalidKeyError);
		expect(() => decryptAttributes(Buffer.alloc(16), Buffer.alloc(20))).toThrow(InvalidKeyError);
		expect(() => encryptAttributes([1, 2] as unknown as object, key)).toThrow(TypeError);
	});
});
