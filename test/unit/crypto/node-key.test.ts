import { randomBytes } from 'node:crypto';
import { InvalidKeyError, nodeAesKey, packNodeKey, unpackNodeKey } from '../../../core/mega/crypto';

describe('node keys', () => {
	it('packs as (key ^ nonce‖mac) ‖ nonce ‖ mac, word by word (web client upload2.js layout)', () => {
		const key = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
		const nonce = Buffer.from('0102030405060708', 'hex');
		const mac = Buffer.from('f0f1f2f3f4f5f6f7', 'hex');
		const packed = packNodeKey(key, nonce, mac);
		expect(packed.toString('hex')).toBe(
			// 00112233^01020304, 44556677^05060708, 8899aabb^f0f1f2f3, ccddeeff^f4f5f6f7, then nonce, then mac
			'011321374153617f7868584838281808' + '0102030405060708' + 'f0f1f2f3f4f5f6f7',
		);
		expect(unpackNodeKey(packed)).toEqual({ key, nonce, metaMac: mac });
	});

	it('round-trips random keys', () => {
		for (let i = 0; i < 20; i++) {
			const [key, nonce, metaMac] = [randomBytes(16), randomBytes(8), randomBytes(8)];
			expect(unpackNodeKey(packNodeKey(key, nonce, metaMac))).toEqual({ key, nonce, metaMac });
		}
	});

	it('gives the AES key of folders (as is) and files (folded)', () => {
		const folder = randomBytes(16);
		expect(nodeAesKey(folder)).toEqual(folder);
		const key = randomBytes(16);
		expect(nodeAesKey(packNodeKey(key, randomBytes(8), randomBytes(8)))).toEqual(key);
	});

	it.each([
		['short AES key', () => packNodeKey(Buffer.alloc(15), Buffer.alloc(8), Buffer.alloc(8))],
		['short nonce', () => packNodeKey(Buffer.alloc(16), Buffer.alloc(7), Buffer.alloc(8))],
		['long meta-MAC', () => packNodeKey(Buffer.alloc(16), Buffer.alloc(8), Buffer.alloc(16))],
		['short file key', () => unpackNodeKey(Buffer.alloc(31))],
		['24-byte node key', () => nodeAesKey(Buffer.alloc(24))],
	])('rejects a %s', (_name, run) => {
		expect(run).toThrow(InvalidKeyError);
	});
});
