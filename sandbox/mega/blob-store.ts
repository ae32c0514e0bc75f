import { createReadStream, createWriteStream, mkdirSync, closeSync, openSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomToken } from './util';

/**
 * Where file ciphertext lives: in memory (default) or one file per blob under `--data-dir`, so multi-GB uploads
 * never sit in RAM. Blobs are reference-counted by the nodes that point at them (copies share one blob).
 */
export interface BlobStore {
	create(size: number): string;
	/** Writes `source` at `offset`; resolves with the number of bytes written. */
	write(blobId: string, offset: number, source: Readable): Promise<number>;
	writeBuffer(blobId: string, offset: number, data: Buffer): Promise<void>;
	/** Bytes [start, endInclusive]. */
	read(blobId: string, start: number, endInclusive: number): Readable;
	size(blobId: string): number;
	retain(blobId: string): void;
	release(blobId: string): void;
	/** Memory blobs for the store dump (empty for the disk store: its files are on disk). */
	dump(): Array<{ id: string; data: Buffer }>;
}

interface BlobMeta {
	size: number;
	refs: number;
}

/** Sizes and reference counts, shared by both stores: a blob goes when the last node using it does. */
abstract class RefCountedBlobs<Meta extends BlobMeta> {
	protected readonly blobs = new Map<string, Meta>();

	size(blobId: string): number {
		return this.blobs.get(blobId)?.size ?? 0;
	}

	retain(blobId: string): void {
		const blob = this.blobs.get(blobId);
		if (blob) blob.refs++;
	}

	release(blobId: string): void {
		const blob = this.blobs.get(blobId);
		if (!blob) return;
		blob.refs--;
		if (blob.refs <= 0) {
			this.blobs.delete(blobId);
			this.dispose(blobId);
		}
	}

	/** Frees what the blob holds outside the map (the disk store's file). */
	protected dispose(_blobId: string): void {}
}

function countBytes(onBytes: (n: number) => void): Transform {
	return new Transform({
		transform(chunk: Buffer, _encoding, callback) {
			onBytes(chunk.length);
			callback(null, chunk);
		},
	});
}

interface Segment {
	offset: number;
	data: Buffer;
}

/**
 * Keeps each blob as the segments the request bodies arrived in (no copying). A resent chunk replaces the segments
 * it covers; reads walk the segments in offset order.
 */
export class MemoryBlobStore extends RefCountedBlobs<BlobMeta & { segments: Segment[]; sorted: boolean }> implements BlobStore {
	create(size: number): string {
		const id = randomToken(12);
		this.blobs.set(id, { size, refs: 0, segments: [], sorted: true });
		return id;
	}

	async write(blobId: string, offset: number, source: Readable): Promise<number> {
		const segments: Segment[] = [];
		let length = 0;
		await pipeline(
			source,
			new Writable({
				write(chunk: Buffer, _encoding, callback) {
					segments.push({ offset: offset + length, data: chunk });
					length += chunk.length;
					callback();
				},
			}),
		);
		this.commit(blobId, offset, length, segments);
		return length;
	}

	async writeBuffer(blobId: string, offset: number, data: Buffer): Promise<void> {
		this.commit(blobId, offset, data.length, data.length > 0 ? [{ offset, data }] : []);
	}

	private commit(blobId: string, offset: number, length: number, segments: Segment[]): void {
		const blob = this.blobs.get(blobId);
		if (!blob) throw new Error('unknown blob');
		const end = offset + length;
		if (length > 0) blob.segments = blob.segments.filter((s) => s.offset < offset || s.offset + s.data.length > end);
		blob.segments.push(...segments);
		blob.sorted = false;
	}

	read(blobId: string, start: number, endInclusive: number): Readable {
		const blob = this.blobs.get(blobId);
		if (!blob) throw new Error('unknown blob');
		if (!blob.sorted) {
			blob.segments.sort((x, y) => x.offset - y.offset);
			blob.sorted = true;
		}
		const segments = blob.segments;
		const end = endInclusive + 1;
		function* slices(): Generator<Buffer> {
			let position = start;
			for (const { offset, data } of segments) {
				if (offset + data.length <= position) continue;
				if (offset >= end) break;
				if (offset > position) {
					yield Buffer.alloc(offset - position);
					position = offset;
				}
				const from = position - offset;
				const to = Math.min(data.length, end - offset);
				// Hand out bounded slices so one huge segment does not become one huge write.
				for (let i = from; i < to; i += 256 * 1024) yield data.subarray(i, Math.min(to, i + 256 * 1024));
				position = offset + to;
			}
			if (position < end) yield Buffer.alloc(end - position);
		}
		const iterator = slices();
		// A plain Readable that fills its buffer synchronously: much cheaper per piece than Readable.from.
		return new Readable({
			highWaterMark: 1024 * 1024,
			read() {
				for (;;) {
					const next = iterator.next();
					if (next.done) {
						this.push(null);
						return;
					}
					if (!this.push(next.value)) return;
				}
			},
		});
	}


	dump(): Array<{ id: string; data: Buffer }> {
		const out: Array<{ id: string; data: Buffer }> = [];
		for (const [id, blob] of this.blobs) {
			// Concatenated per blob, so a plaintext that spans two segments would still be found.
			const sorted = [...blob.segments].sort((x, y) => x.offset - y.offset);
			out.push({ id, data: Buffer.concat(sorted.map((s) => s.data)) });
		}
		return out;
	}
}

export class DiskBlobStore extends RefCountedBlobs<BlobMeta> implements BlobStore {
	private readonly dir: string;

	constructor(dataDir: string) {
		super();
		this.dir = join(dataDir, 'blobs');
		mkdirSync(this.dir, { recursive: true });
	}

	private path(blobId: string): string {
		return join(this.dir, `${blobId}.bin`);
	}

	create(size: number): string {
		const id = randomToken(12);
		closeSync(openSync(this.path(id), 'w'));
		this.blobs.set(id, { size, refs: 0 });
		return id;
	}

	async write(blobId: string, offset: number, source: Readable): Promise<number> {
		if (!this.blobs.has(blobId)) throw new Error('unknown blob');
		let length = 0;
		await pipeline(
			source,
			countBytes((n) => (length += n)),
			createWriteStream(this.path(blobId), { flags: 'r+', start: offset }),
		);
		return length;
	}

	async writeBuffer(blobId: string, offset: number, data: Buffer): Promise<void> {
		await this.write(blobId, offset, Readable.from([data]));
	}

	read(blobId: string, start: number, endInclusive: number): Readable {
		if (!this.blobs.has(blobId)) throw new Error('unknown blob');
		if (endInclusive < start) return Readable.from([]);
		return createReadStream(this.path(blobId), { start, end: endInclusive, highWaterMark: 256 * 1024 });
	}

	protected override dispose(blobId: string): void {
		try {
			unlinkSync(this.path(blobId));
		} catch {
			// already gone: nothing to release
		}
	}

	dump(): Array<{ id: string; data: Buffer }> {
		return [];
	}
}
