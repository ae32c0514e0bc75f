import { randomBytes } from 'node:crypto';
import { createCtrCipher, ctrAt, ctrIv, InvalidKeyError } from '../../../core/mega/crypto';
import { keystreamBlock, xor } from './reference';

const key = randomBytes(16);
const nonce = randomBytes(8);

/** Independent CTR: XOR with E(nonce ‖ BE64(block index)) computed block by block with bigint indexes. */
function ctrReference(offset: bigint, data: Buffer): Buffer {
	const out = Buffer.alloc(data.length);
	for (let i = 0; i < data.length; i++) {
		const position = offset + BigInt(i);
		const block = keystreamBlock(key, nonce, position / 16n);
		out[i] = data[i] ^ block[Number(position % 16n)];
	}
	return out;
}

describe('AES-CTR with MEGA counters', () => {
	it('builds the counter block nonce ‖ BE64(offset / 16)', () => {
		expect(ctrIv(Buffer.from('0102030405060708', 'hex'), 2 ** 36).toString('hex')).toBe('01020304050607080000000100000000');
		expect(ctrIv(Buffer.from('0102030405060708', 'hex'), 2 ** 32 + 31).toString('hex')).toBe('01020304050607080000000010000001');
	});

	it('at offset 0 equals one whole-stream cipher, and slices of it decrypt on their own', () => {
		const data = randomBytes(100_000);
		const whole = ctrAt(key, nonce, 0, data);
		expect(whole).toEqual(ctrReference(0n, data));
		for (const offset of [16, 4096, 65_536, 99_984]) {
			expect(ctrAt(key, nonce, offset, whole.subarray(offset))).toEqual(data.subarray(offset));
		}
	});

	it.each([
		['2^32', 2 ** 32],
		['2^36 (block index 2^32)', 2 ** 36],
		['2^36 - 32 (crossing the 32-bit block counter)', 2 ** 36 - 32],
		['2^40 + 48', 2 ** 40 + 48],
		['an unaligned offset past 2^36', 2 ** 36 + 5],
	])('matches an independent counter computation at %s', (_name, offset) => {
		const data = randomBytes(100);
		expect(ctrAt(key, nonce, offset, data)).toEqual(ctrReference(BigInt(offset), data));
	});

	it('crossing the 2^36 mark equals the two halves computed separately', () => {
		const data = randomBytes(64);
		const start = 2 ** 36 - 32;
		const whole = ctrAt(key, nonce, start, data);
		expect(whole.subarray(0, 32)).toEqual(ctrAt(key, nonce, start, data.subarray(0, 32)));
		expect(whole.subarray(32)).toEqual(ctrAt(key, nonce, 2 ** 36, data.subarray(32)));
		// A client that only carried a 32-bit block counter would restart at block 0 here.
		expect(whole.subarray(32, 48)).not.toEqual(xor(data.subarray(32, 48), keystreamBlock(key, nonce, 0n)));
	});

	it('createCtrCipher streams from an unaligned offset like ctrAt', () => {
		const data = randomBytes(10_000);
		const cipher = createCtrCipher(key, nonce, 2 ** 32 + 7);
		const pieces = [data.subarray(0, 3), data.subarray(3, 4000), data.subarray(4000)].map((piece) => cipher.update(piece));
		expect(Buffer.concat(pieces)).toEqual(ctrAt(key, nonce, 2 ** 32 + 7, data));
		// encryption and decryption are the same operation
		expect(ctrAt(key, nonce, 2 ** 32 + 7, Buffer.concat(pieces))).toEqual(data);
	});

	it('rejects bad keys, nonces and offsets', () => {
		expect(() => ctrAt(Buffer.alloc(15), nonce, 0, Buffer.alloc(1))).toThrow(InvalidKeyError);
		expect(() => ctrAt(key, Buffer.alloc(16), 0, Buffer.alloc(1))).toThrow(InvalidKeyError);
		expect(() => ctrAt(key, nonce, -16, Buffer.alloc(1))).toThrow(RangeError);
		expect(() => createCtrCipher(key, nonce, 2 ** 54)).toThrow(RangeError);
	});
});
