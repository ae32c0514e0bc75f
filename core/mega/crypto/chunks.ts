/**
 * MEGA chunk plan: chunks of 128 KiB × 1, 2, … 8 (boundaries 0, 128K, 384K, … 4608K), then 1 MiB each.
 * Chunks drive the per-chunk MACs and the upload POST offsets.
 */
const SEGMENT = 131_072;
const MIB = 1_048_576;
/** Offset where the growing chunks end (sum of 128K × 1..8). */
const GROWTH_END = SEGMENT * 36;
const GROWING_CHUNKS = 8;

function checkOffset(value: number, what: string): void {
	if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative safe integer, got ${value}`);
}

/** Start offset of chunk `index` (independent of the file size). */
export function chunkStart(index: number): number {
	checkOffset(index, 'Chunk index');
	if (index <= GROWING_CHUNKS) return (SEGMENT * index * (index + 1)) / 2;
	return GROWTH_END + (index - GROWING_CHUNKS) * MIB;
}

/** Index of the chunk that contains byte `offset`. */
export function chunkIndexAt(offset: number): number {
	checkOffset(offset, 'Offset');
	if (offset >= GROWTH_END) return GROWING_CHUNKS + Math.floor((offset - GROWTH_END) / MIB);
	let index = 0;
	while (chunkStart(index + 1) <= offset) index++;
	return index;
}

/** Chunks of a file of `size` bytes as [start, end) pairs; a 0-byte file has none (as in MEGA's SDK). */
export function chunkBoundaries(size: number): Array<[number, number]> {
	checkOffset(size, 'Size');
	const chunks: Array<[number, number]> = [];
	for (let index = 0, start = 0; start < size; index++) {
		const end = Math.min(chunkStart(index + 1), size);
		chunks.push([start, end]);
		start = end;
	}
	return chunks;
}
