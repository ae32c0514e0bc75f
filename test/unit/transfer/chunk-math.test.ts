import { chunkBoundaries } from '../../../core/mega/crypto';
import {
	AdaptiveRequestSize,
	balancedRequestBytes,
	chunkCeil,
	chunkFloor,
	chunkIndex,
	isChunkBoundary,
	nextBalancedRequestEnd,
	nextRequestEnd,
	planRequests,
} from '../../../core/mega/transfer/chunk-math';

const KIB = 1024;
const MIB = 1024 * KIB;

describe('chunk arithmetic agrees with the crypto core chunk table', () => {
	const size = 40 * MIB + 12345;
	const table = chunkBoundaries(size);

	it('floor, ceil and index match every chunk of a 40 MiB file', () => {
		table.forEach(([start, end], index) => {
			for (const offset of [start, start + 1, Math.floor((start + end) / 2), end - 1]) {
				expect(chunkFloor(offset)).toBe(start);
				expect(chunkIndex(offset)).toBe(index);
				if (end !== size) expect(chunkCeil(offset)).toBe(end);
			}
			expect(isChunkBoundary(start)).toBe(true);
			if (end - start > 1) expect(isChunkBoundary(start + 1)).toBe(false);
		});
	});

	it('knows the growth boundaries and the 1 MiB steps after them', () => {
		expect([1, 2, 3, 4, 5, 6, 7, 8].map((k) => chunkCeil(chunkFloor((128 * KIB * k * (k + 1)) / 2 - 1)))).toEqual(
			[128, 384, 768, 1280, 1920, 2688, 3584, 4608].map((k) => k * KIB),
		);
		expect(chunkCeil(4608 * KIB)).toBe(4608 * KIB + MIB);
		expect(chunkFloor(5 * 1024 * MIB + 7)).toBe(5 * 1024 * MIB - 512 * KIB); // 4.5 MiB + whole MiBs, beyond 4 GiB
	});
});

describe('planRequests', () => {
	const check = (start: number, end: number, max: number, pieces: number) => {
		const plan = planRequests(start, end, max, pieces);
		expect(plan[0][0]).toBe(start);
		expect(plan[plan.length - 1][1]).toBe(end);
		for (let i = 0; i < plan.length; i++) {
			const [s, e] = plan[i];
			if (i > 0) expect(s).toBe(plan[i - 1][1]);
			if (i > 0) expect(isChunkBoundary(s)).toBe(true);
			if (e !== end) expect(isChunkBoundary(e)).toBe(true);
			// never more than max unless a single chunk is bigger than max
			if (e - s > max) expect(chunkCeil(s)).toBeGreaterThanOrEqual(e);
		}
		return plan;
	};

	it('cuts on whole chunks, up to the POST size', () => {
		const plan = check(0, 64 * MIB, 8 * MIB, 4);
		expect(plan.length).toBeGreaterThanOrEqual(8);
		expect(plan.every(([s, e]) => e - s <= 8 * MIB)).toBe(true);
	});

	it('splits a small file across the connections', () => {
		expect(check(0, 5 * MIB + 7, 8 * MIB, 4).length).toBeGreaterThanOrEqual(4);
	});

	it('gives one empty request for an empty file and one for a tiny one', () => {
		expect(planRequests(0, 0, MIB, 4)).toEqual([[0, 0]]);
		expect(planRequests(0, 1, MIB, 4)).toEqual([[0, 1]]);
	});

	it('handles ranges that start inside a chunk and sizes above 4 GiB', () => {
		check(1_000_000 - (1_000_000 % 16), 3 * MIB, MIB, 4);
		check(0, 4 * 1024 * MIB + 123, 16 * MIB, 4);
	});
});

describe('AdaptiveRequestSize', () => {
	it('stays small on a near link and goes to the maximum once two latency samples are both high', () => {
		const near = new AdaptiveRequestSize(2 * MIB, 16 * MIB);
		near.recordLatency(2);
		near.recordLatency(80); // one inflated sample (a GC pause) is not enough
		expect(near.decided).toBe(true);
		expect(near.current).toBe(2 * MIB);

		const far = new AdaptiveRequestSize(2 * MIB, 16 * MIB);
		far.recordLatency(45);
		expect(far.decided).toBe(false);
		expect(far.current).toBe(2 * MIB);
		far.recordLatency(41);
		expect(far.current).toBe(16 * MIB);
	});

	it('never starts above its maximum', () => {
		expect(new AdaptiveRequestSize(4 * MIB, MIB).current).toBe(MIB);
	});
});

describe('balanced request sizes (every connection finishes about together)', () => {
	it('spreads a small file over the connections, uses the maximum mid-file, and shrinks to equal shares at the end', () => {
		expect(balancedRequestBytes(16 * MIB, 20 * MIB, 0, 4)).toBe(5 * MIB);
		expect(balancedRequestBytes(16 * MIB, 500 * MIB, 48 * MIB, 4)).toBe(16 * MIB);
		// 40 MiB not yet requested, three requests with 20 MiB left between them: a quarter of the 60 MiB each.
		expect(balancedRequestBytes(16 * MIB, 40 * MIB, 20 * MIB, 4)).toBe(15 * MIB);
		expect(balancedRequestBytes(16 * MIB, 1, 0, 4)).toBe(1);
	});

	it('takes a small remainder along instead of leaving it for one more request at the end', () => {
		// Past 4.5 MiB every chunk is 1 MiB: boundaries at 4.5 MiB + n MiB.
		const from = 4.5 * MIB + 80 * MIB;
		const end = from + 14 * MIB + 300 * KIB;
		// A 14 MiB target would leave 300 KiB: the request takes it too (it fits in 16 MiB).
		expect(nextRequestEnd(from, end, 14 * MIB)).toBe(from + 14 * MIB);
		expect(nextBalancedRequestEnd(from, end, 14 * MIB, 16 * MIB)).toBe(end);
		// Less than a quarter of the target counts as small; more is left for another connection.
		expect(nextBalancedRequestEnd(from, from + 14 * MIB, 12 * MIB, 16 * MIB)).toBe(from + 14 * MIB);
		expect(nextBalancedRequestEnd(from, from + 15 * MIB, 12 * MIB, 16 * MIB)).toBe(from + 12 * MIB);
		// Never above the maximum request size.
		expect(nextBalancedRequestEnd(from, end, 14 * MIB, 14 * MIB)).toBe(from + 14 * MIB);
	});
});
