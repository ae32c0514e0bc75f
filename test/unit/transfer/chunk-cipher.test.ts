import { randomBytes } from 'node:crypto';
import { chunkBoundaries, chunkMac, condenseMacs, ctrAt, metaMac } from '../../../core/mega/crypto';
import { ChunkCipher } from '../../../core/mega/transfer/chunk-cipher';

const KIB = 1024;
const MIB = 1024 * KIB;
const SIZES = [0, 1, 15, 16, 17, 131071, 131072, 131073, 393216, MIB - 1, MIB, MIB + 1, 5 * MIB + 7];

function feedInPieces(cipher: ChunkCipher, data: Buffer, seed: number): Buffer {
	const out: Buffer[] = [];
	let at = 0;
	let step = seed;
	while (at < data.length) {
		step = (step * 1103515245 + 12345) % 2 ** 31;
		const len = 1 + (step % (300 * KIB));
		cipher.update(data.subarray(at, at + len), out);
		at += len;
	}
	return Buffer.concat(out);
}

describe('ChunkCipher (streaming CTR + per-chunk CBC-MAC) against the crypto core', () => {
	const key = randomBytes(16);
	const nonce = randomBytes(8);

	it.each(SIZES)('encrypts %i bytes like ctrAt and MACs like metaMac, whatever the piece sizes', (size) => {
		const data = randomBytes(size);
		const original = Buffer.from(data);
		const cipher = new ChunkCipher('encrypt', key, nonce, 0, size, true, 64 * KIB);
		const encrypted = feedInPieces(cipher, data, size + 1);
		expect(encrypted.equals(ctrAt(key, nonce, 0, data))).toBe(true);
		expect(cipher.macs.map((m) => m.index)).toEqual(chunkBoundaries(size).map((_, i) => i));
		expect(condenseMacs(key, cipher.macs.map((m) => m.mac)).equals(metaMac(key, nonce, data))).toBe(true);
		expect(data.equals(original)).toBe(true); // input untouched (megajs encrypts its input in place; we must not)
	});

	it('decrypts from a chunk boundary in the middle and MACs the plaintext of those chunks', () => {
		const size = 7 * MIB + 99;
		const data = randomBytes(size);
		const ciphertext = ctrAt(key, nonce, 0, data);
		const table = chunkBoundaries(size);
		const [from] = table[5];
		const cipher = new ChunkCipher('decrypt', key, nonce, from, size, true, 1 * MIB);
		const plain = feedInPieces(cipher, ciphertext.subarray(from), 7);
		expect(plain.equals(data.subarray(from))).toBe(true);
		expect(cipher.macs.map((m) => m.index)).toEqual(table.slice(5).map((_, i) => i + 5));
		cipher.macs.forEach(({ index, mac }) => {
			const [s, e] = table[index];
			expect(mac.equals(chunkMac(key, nonce, data.subarray(s, e)))).toBe(true);
		});
	});

	it('decrypts an unaligned byte range without MACs', () => {
		const size = 300 * KIB;
		const data = randomBytes(size);
		const ciphertext = ctrAt(key, nonce, 0, data);
		const cipher = new ChunkCipher('decrypt', key, nonce, 1008, size, false);
		const plain = feedInPieces(cipher, ciphertext.subarray(1008, 200 * KIB), 3);
		expect(plain.equals(data.subarray(1008, 200 * KIB))).toBe(true);
		expect(cipher.macs).toEqual([]);
	});

	it('rejects a start that is not a multiple of 16 and data past the file size', () => {
		expect(() => new ChunkCipher('decrypt', key, nonce, 8, 100)).toThrow(RangeError);
		const cipher = new ChunkCipher('encrypt', key, nonce, 0, 10);
		expect(() => cipher.update(Buffer.alloc(11))).toThrow(/More data than the file size/);
	});
});
