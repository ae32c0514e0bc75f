import { randomBytes } from 'node:crypto';
import {
	base64urlDecode,
	base64urlEncode,
	fingerprint,
	FingerprintBuilder,
	FingerprintError,
	fingerprintMtime,
	parseFingerprint,
} from '../../../core/mega/crypto';
import { crc32Reference } from './reference';

function lanes(values: number[]): Buffer {
	const out = Buffer.alloc(16);
	values.forEach((value, lane) => out.writeUInt32BE(value, lane * 4));
	return out;
}

/** mtime 1 560 095 432 = 0x5CFD2AC8 -> length 4, little-endian c8 2a fd 5c (mega-protocol.md §4.9). */
const MTIME = 1_560_095_432;
const MTIME_BYTES = Buffer.from('04c82afd5c', 'hex');

describe('fingerprint (c attribute)', () => {
	it('tiny files: the bytes themselves, zero-padded to 16', () => {
		const c = fingerprint(Buffer.from('hello'), MTIME);
		expect(base64urlDecode(c)).toEqual(Buffer.concat([Buffer.from('hello'), Buffer.alloc(11), MTIME_BYTES]));
		expect(base64urlDecode(fingerprint(Buffer.alloc(0), 0))).toEqual(Buffer.concat([Buffer.alloc(16), Buffer.from([0])]));
		const sixteen = randomBytes(16);
		expect(base64urlDecode(fingerprint(sixteen, 1)).subarray(0, 16)).toEqual(sixteen);
	});

	it('small files: four big-endian CRC-32 lanes over quarters', () => {
		for (const size of [17, 1001, 8192]) {
			const data = randomBytes(size);
			const quarter = (i: number) => data.subarray(Math.floor((i * size) / 4), Math.floor(((i + 1) * size) / 4));
			const expected = lanes([0, 1, 2, 3].map((i) => crc32Reference(quarter(i))));
			expect(base64urlDecode(fingerprint(data, MTIME))).toEqual(Buffer.concat([expected, MTIME_BYTES]));
		}
	});

	it('large files: each lane is the CRC-32 of 32 sampled 64-byte blocks', () => {
		for (const size of [8193, 100_000, 3_000_001]) {
			const data = randomBytes(size);
			const crcs = [0, 1, 2, 3].map((lane) => {
				const blocks: Buffer[] = [];
				for (let j = 0; j < 32; j++) {
					const offset = Number((BigInt(size - 64) * BigInt(lane * 32 + j)) / 127n);
					blocks.push(data.subarray(offset, offset + 64));
				}
				return crc32Reference(Buffer.concat(blocks));
			});
			expect(base64urlDecode(fingerprint(data, MTIME))).toEqual(Buffer.concat([lanes(crcs), MTIME_BYTES]));
		}
	});

	it('streaming in arbitrary pieces gives the same value', () => {
		for (const size of [5, 5000, 8193, 1_000_000]) {
			const data = randomBytes(size);
			const builder = new FingerprintBuilder(size, MTIME);
			for (let offset = 0, step = 1; offset < size; offset += step, step = step * 3 + 1) builder.update(data.subarray(offset, offset + step));
			expect(builder.digest()).toBe(fingerprint(data, MTIME));
		}
	});

	it('parses the mtime back', () => {
		const c = fingerprint(randomBytes(50_000), MTIME);
		expect(fingerprintMtime(c)).toBe(MTIME);
		expect(parseFingerprint(fingerprint(Buffer.from('x'), 0))).toEqual({ crc: Buffer.concat([Buffer.from('x'), Buffer.alloc(15)]), mtime: 0 });
		expect(fingerprintMtime(fingerprint(Buffer.alloc(1), 2 ** 40 + 3))).toBe(2 ** 40 + 3);
	});

	it.each([
		['bad base64', 'not base64!'],
		['too short', base64urlEncode(Buffer.alloc(16))],
		['length byte above 8', base64urlEncode(Buffer.concat([Buffer.alloc(16), Buffer.from([9]), Buffer.alloc(9)]))],
		['truncated mtime', base64urlEncode(Buffer.concat([Buffer.alloc(16), Buffer.from([4, 1, 2])]))],
		['mtime beyond 2^53', base64urlEncode(Buffer.concat([Buffer.alloc(16), Buffer.from([8]), Buffer.alloc(8, 0xff)]))],
	])('rejects a malformed c: %s', (_name, c) => {
		expect(() => parseFingerprint(c)).toThrow(FingerprintError);
	});

	it('rejects wrong input lengths and invalid mtimes', () => {
		expect(() => new FingerprintBuilder(4, 0).update(Buffer.alloc(5))).toThrow(FingerprintError);
		expect(() => new FingerprintBuilder(10_000, 0).update(Buffer.alloc(9_999)).digest()).toThrow(FingerprintError);
		expect(() => fingerprint(Buffer.alloc(1), -1)).toThrow(RangeError);
		expect(() => fingerprint(Buffer.alloc(1), 1.5)).toThrow(RangeError);
	});
});
