import { createCipheriv, type Cipher } from 'node:crypto';
import { assertLength } from './aes';
import { chunkBoundaries, chunkStart } from './chunks';
import { MissingChunkMacError } from './errors';

function macIv(nonce: Buffer): Buffer {
	assertLength(nonce, 8, 'Nonce');
	return Buffer.concat([nonce, nonce]);
}

function cbcCipher(key: Buffer, nonce: Buffer): Cipher {
	assertLength(key, 16, 'AES key');
	return createCipheriv('aes-128-cbc', key, macIv(nonce)).setAutoPadding(false);
}

function lastBlock(data: Buffer): Buffer {
	return Buffer.from(data.subarray(data.length - 16));
}

/**
 * CBC-MAC of one chunk: the last block of AES-128-CBC(IV = nonce‖nonce) over the zero-padded chunk,
 * in one cipher (OpenSSL does the chain) rather than one call per block.
 */
export function chunkMac(key: Buffer, nonce: Buffer, chunk: Buffer): Buffer {
	const cipher = cbcCipher(key, nonce);
	const whole = chunk.length - (chunk.length % 16);
	let last = macIv(nonce);
	if (whole > 0) last = lastBlock(cipher.update(chunk.subarray(0, whole)));
	if (whole < chunk.length) {
		const tail = Buffer.alloc(16);
		chunk.copy(tail, 0, whole);
		last = lastBlock(cipher.update(tail));
	}
	return last;
}

/** File MAC from the chunk MACs in file order, condensed to the 8-byte meta-MAC (w0^w1, w2^w3). */
export function condenseMacs(key: Buffer, chunkMacs: readonly Buffer[]): Buffer {
	assertLength(key, 16, 'AES key');
	const ecb = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
	let mac = Buffer.alloc(16);
	for (const chunk of chunkMacs) {
		assertLength(chunk, 16, 'Chunk MAC');
		for (let i = 0; i < 16; i++) mac[i] ^= chunk[i];
		mac = ecb.update(mac);
	}
	const meta = Buffer.alloc(8);
	meta.writeUInt32BE((mac.readUInt32BE(0) ^ mac.readUInt32BE(4)) >>> 0, 0);
	meta.writeUInt32BE((mac.readUInt32BE(8) ^ mac.readUInt32BE(12)) >>> 0, 4);
	return meta;
}

/** Meta-MAC of a whole plaintext; size 0 gives 8 zero bytes (no chunks, as in MEGA's SDK). */
export function metaMac(key: Buffer, nonce: Buffer, data: Buffer): Buffer {
	return new MetaMacAccumulator(key, nonce).update(data).digest(data.length);
}

/**
 * Incremental meta-MAC. Two ways to feed it:
 * - `update(piece)`: the plaintext in order from offset 0, pieces of any size (download/upload streams);
 * - `addChunk(index, chunk)` / `addChunkMac(index, mac)`: whole chunks in any order (parallel uploads).
 * `digest()` condenses the chunk MACs by index.
 */
export class MetaMacAccumulator {
	private readonly macs = new Map<number, Buffer>();
	private readonly iv: Buffer;
	private position = 0;
	private chunkIndex = 0;
	private chunkEnd = chunkStart(1);
	private cipher: Cipher | undefined;
	private lastOut: Buffer | undefined;
	private pending = Buffer.alloc(0);

	constructor(
		private readonly key: Buffer,
		private readonly nonce: Buffer,
	) {
		assertLength(key, 16, 'AES key');
		this.iv = macIv(nonce);
	}

	/** Plaintext bytes seen by update(). */
	get bytes(): number {
		return this.position;
	}

	update(plaintext: Buffer): this {
		let offset = 0;
		while (offset < plaintext.length) {
			const take = Math.min(plaintext.length - offset, this.chunkEnd - this.position);
			this.feed(plaintext.subarray(offset, offset + take));
			offset += take;
			this.position += take;
			if (this.position === this.chunkEnd) this.closeChunk();
		}
		return this;
	}

	addChunk(index: number, plaintext: Buffer): this {
		return this.addChunkMac(index, chunkMac(this.key, this.nonce, plaintext));
	}

	addChunkMac(index: number, mac: Buffer): this {
		if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`Chunk index must be a non-negative integer, got ${index}`);
		assertLength(mac, 16, 'Chunk MAC');
		if (this.macs.has(index)) throw new MissingChunkMacError(`Chunk ${index} was given twice`);
		this.macs.set(index, Buffer.from(mac));
		return this;
	}

	/** The 8-byte meta-MAC. With expectedSize, first checks that exactly the chunks of that size are present. */
	digest(expectedSize?: number): Buffer {
		if (this.cipher || this.pending.length > 0) this.closeChunk();
		const indexes = [...this.macs.keys()].sort((a, b) => a - b);
		const count = expectedSize === undefined ? indexes.length : chunkBoundaries(expectedSize).length;
		if (indexes.length !== count || indexes.some((index, position) => index !== position)) {
			const missing = [];
			for (let i = 0; i < count && missing.length < 5; i++) if (!this.macs.has(i)) missing.push(i);
			throw new MissingChunkMacError(
				`Cannot compute the meta-MAC: have ${indexes.length} chunk MACs, need chunks 0..${count - 1}` +
					(missing.length > 0 ? ` (missing ${missing.join(', ')}${missing.length === 5 ? ', …' : ''})` : ' (extra chunks)'),
			);
		}
		return condenseMacs(
			this.key,
			indexes.map((index) => this.macs.get(index) as Buffer),
		);
	}

	private feed(piece: Buffer): void {
		if (piece.length === 0) return;
		this.cipher ??= createCipheriv('aes-128-cbc', this.key, this.iv).setAutoPadding(false);
		let data = piece;
		if (this.pending.length > 0) {
			// Complete the held-back partial block first, so the rest of the piece is fed without copying it.
			const need = 16 - this.pending.length;
			if (piece.length < need) {
				this.pending = Buffer.concat([this.pending, piece]);
				return;
			}
			this.lastOut = this.cipher.update(Buffer.concat([this.pending, piece.subarray(0, need)]));
			this.pending = Buffer.alloc(0);
			data = piece.subarray(need);
		}
		const whole = data.length - (data.length % 16);
		if (whole > 0) {
			const out = this.cipher.update(data.subarray(0, whole));
			this.lastOut = out.subarray(out.length - 16);
		}
		if (whole < data.length) this.pending = Buffer.from(data.subarray(whole));
	}

	private closeChunk(): void {
		if (this.pending.length > 0) {
			const tail = Buffer.alloc(16);
			this.pending.copy(tail);
			this.pending = Buffer.alloc(0);
			this.cipher ??= createCipheriv('aes-128-cbc', this.key, this.iv).setAutoPadding(false);
			this.lastOut = this.cipher.update(tail);
		}
		if (this.lastOut) this.addChunkMac(this.chunkIndex, this.lastOut);
		this.cipher = undefined;
		this.lastOut = undefined;
		this.chunkIndex++;
		this.chunkEnd = chunkStart(this.chunkIndex + 1);
	}
}
