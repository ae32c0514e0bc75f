/**
 * MEGA chunk boundaries as arithmetic (no per-file arrays: a 5 GiB file has ~5,000 chunks and we only ever need
 * "where does the chunk containing this offset start/end"). Boundaries: 128 KiB × 1..8 growing, then every 1 MiB
 * (mega-protocol.md §8.1). `chunkBoundaries` in core/mega/crypto is the list form of the same table.
 */

const SEGMENT = 128 * 1024;
const MIB = 1024 * 1024;
/** 128K × (1 + 2 + … + 8) = 4.5 MiB: where the chunk size reaches 1 MiB for good. */
const GROWTH_END = SEGMENT * 36;

/** Start of the chunk that contains `offset`. */
export function chunkFloor(offset: number): number {
	if (offset >= GROWTH_END) return GROWTH_END + Math.floor((offset - GROWTH_END) / MIB) * MIB;
	let start = 0;
	for (let k = 1; k <= 8; k++) {
		const next = start + k * SEGMENT;
		if (offset < next) return start;
		start = next;
	}
	return start;
}

/** End (exclusive) of the chunk that starts at or contains `offset`, before clamping to the file size. */
export function chunkCeil(offset: number): number {
	const start = chunkFloor(offset);
	if (start >= GROWTH_END) return start + MIB;
	let boundary = 0;
	for (let k = 1; k <= 8; k++) {
		boundary += k * SEGMENT;
		if (boundary > start) return boundary;
	}
	return boundary + MIB;
}

export function isChunkBoundary(offset: number): boolean {
	return chunkFloor(offset) === offset;
}

/** Index of the chunk that contains `offset` (0-based), used to order chunk MACs. */
export function chunkIndex(offset: number): number {
	if (offset >= GROWTH_END) return 8 + Math.floor((offset - GROWTH_END) / MIB);
	let start = 0;
	for (let k = 1; k <= 8; k++) {
		start += k * SEGMENT;
		if (offset < start) return k - 1;
	}
	return 8;
}

/**
 * Cuts [start, end) into requests of whole chunks (the last may end at `end`, the file's EOF), each at most
 * `maxBytes` (but never less than one chunk), and at least `minPieces` of them when the range is big enough, so that
 * a file a few requests long still uses every connection.
 */
export function planRequests(start: number, end: number, maxBytes: number, minPieces = 1): Array<[number, number]> {
	if (end <= start) return [[start, start]];
	const target = Math.max(1, Math.min(maxBytes, Math.ceil((end - start) / Math.max(1, minPieces))));
	const plan: Array<[number, number]> = [];
	for (let from = start; from < end; ) {
		const to = nextRequestEnd(from, end, target);
		plan.push([from, to]);
		from = to;
	}
	return plan;
}

/**
 * End of the next request starting at `from` (a chunk boundary): whole chunks, at most `targetBytes` (but at least
 * one chunk), and never past `end` (the file's EOF, or the end of a byte range).
 */
export function nextRequestEnd(from: number, end: number, targetBytes: number): number {
	let to = Math.min(chunkCeil(from), end);
	while (to < end) {
		const next = Math.min(chunkCeil(to), end);
		if (next - from > targetBytes) break;
		to = next;
	}
	return to;
}

/**
 * Target size of the next request, so that the connections finish together instead of one of them running a long
 * request alone at the end: an equal share of the work left (bytes not yet requested plus what the requests in
 * flight still have to move), at most `maxBytes`. At the start this spreads a small file over every connection;
 * in the middle of a big one it is `maxBytes`; near the end requests shrink to fit.
 */
export function balancedRequestBytes(maxBytes: number, unrequested: number, inFlightLeft: number, concurrency: number): number {
	return Math.max(1, Math.min(maxBytes, Math.ceil((unrequested + Math.max(0, inFlightLeft)) / Math.max(1, concurrency))));
}

/**
 * `nextRequestEnd`, except that a remainder smaller than a quarter of the target (or than 1 MiB) that would be left
 * at `end` is taken now when the whole request still fits in `maxBytes`: a last small request would cost one more
 * round trip at the very end, on its own.
 */
export function nextBalancedRequestEnd(from: number, end: number, targetBytes: number, maxBytes: number): number {
	const to = nextRequestEnd(from, end, targetBytes);
	const left = end - to;
	return left > 0 && left < Math.max(MIB, targetBytes / 4) && end - from <= maxBytes ? end : to;
}

/**
 * Request size that adapts to the link's latency. Small requests keep memory low where they cost nothing (on a
 * fast, near link memory is concurrency × size and per-request overhead is tiny); large ones hide per-request
 * latency where it matters (40 ms per request eats ~9 % of a 4 MiB request at 10 MB/s). Two samples taken at
 * different moments decide: the API round trip that fetched the URL (`u` / `g`), then the first one-chunk POST or
 * the first GET's time to first byte. The minimum is used, because a busy CPU or a GC pause only ever inflates a
 * sample. When both exceed `latencyMs`, requests go to `max`.
 */
export class AdaptiveRequestSize {
	private size: number;
	private samples = 0;
	private minLatency = Infinity;
	constructor(
		private readonly start: number,
		private readonly max: number,
		private readonly latencyMs = 30,
		readonly samplesNeeded = 2,
	) {
		this.size = Math.min(start, max);
	}

	get current(): number {
		return this.size;
	}

	get decided(): boolean {
		return this.samples >= this.samplesNeeded;
	}

	recordLatency(ms: number): void {
		this.samples++;
		this.minLatency = Math.min(this.minLatency, ms);
		if (this.decided) this.size = this.minLatency > this.latencyMs ? this.max : Math.min(this.start, this.max);
	}
}
