/** Deterministic pseudo-random bytes as a stream (AES-CTR keystream), so large round trips need no fixture on disk. */
import { createCipheriv, createHash } from 'node:crypto';
import { Readable } from 'node:stream';

const KEY = Buffer.alloc(32, 7);
const IV = Buffer.alloc(16, 0);
const CHUNK = 1024 * 1024;

export function patternStream(size: number, chunkSize = CHUNK): Readable {
	const cipher = createCipheriv('aes-256-ctr', KEY, IV);
	const zeros = Buffer.alloc(chunkSize);
	let produced = 0;
	return new Readable({
		read() {
			if (produced >= size) {
				this.push(null);
				return;
			}
			const n = Math.min(chunkSize, size - produced);
			produced += n;
			this.push(cipher.update(n === chunkSize ? zeros : zeros.subarray(0, n)));
		},
	});
}

/** The bytes of the pattern at [start, end) (CTR lets us seek by block). */
export function patternSlice(start: number, end: number): Buffer {
	const blockStart = Math.floor(start / 16);
	const iv = Buffer.alloc(16);
	iv.writeBigUInt64BE(BigInt(blockStart), 8);
	const cipher = createCipheriv('aes-256-ctr', KEY, iv);
	const skip = start - blockStart * 16;
	return cipher.update(Buffer.alloc(end - start + skip)).subarray(skip);
}

export async function sha256Of(stream: AsyncIterable<Buffer | Uint8Array | string>): Promise<{ sha256: string; size: number }> {
	const hash = createHash('sha256');
	let size = 0;
	for await (const chunk of stream) {
		const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
		hash.update(buf);
		size += buf.length;
	}
	return { sha256: hash.digest('hex'), size };
}
