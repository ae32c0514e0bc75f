import { chunkBoundaries, chunkIndexAt, chunkStart } from '../../../core/mega/crypto';
import { referenceChunks } from './reference';

const K = 1024;

describe('chunk plan', () => {
	it('has the MEGA boundaries 0, 128K, 384K, … 4608K, then every 1 MiB', () => {
		const starts = chunkBoundaries(8 * K * K).map(([start]) => start / K);
		expect(starts).toEqual([0, 128, 384, 768, 1280, 1920, 2688, 3584, 4608, 5632, 6656, 7680]);
	});

	it('gives no chunk for a 0-byte file and one short chunk for a tiny file', () => {
		expect(chunkBoundaries(0)).toEqual([]);
		expect(chunkBoundaries(1)).toEqual([[0, 1]]);
		expect(chunkBoundaries(131072)).toEqual([[0, 131072]]);
		expect(chunkBoundaries(131073)).toEqual([
			[0, 131072],
			[131072, 131073],
		]);
	});

	it('matches the rule written out, for many sizes', () => {
		for (const size of [5, 131071, 393216, 393217, 4718592, 4718593, 9 * K * K + 7, 50 * K * K]) {
			expect(chunkBoundaries(size)).toEqual(referenceChunks(size));
		}
	});

	it('locates offsets in chunks consistently with chunkStart', () => {
		for (const offset of [0, 1, 131071, 131072, 131073, 393215, 393216, 4718591, 4718592, 5767168, 2 ** 40 + 5]) {
			const index = chunkIndexAt(offset);
			expect(chunkStart(index)).toBeLessThanOrEqual(offset);
			expect(chunkStart(index + 1)).toBeGreaterThan(offset);
		}
		expect(chunkIndexAt(4718592)).toBe(8);
		expect(chunkStart(9)).toBe(4718592 + 1048576);
	});

	it.each([-1, 1.5, Number.NaN, 2 ** 60])('rejects the invalid size %p', (size) => {
		expect(() => chunkBoundaries(size)).toThrow(RangeError);
		expect(() => chunkIndexAt(size)).toThrow(RangeError);
	});
});
