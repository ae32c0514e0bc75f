/**
 * The byte pipeline: AES-128-CTR over the data and one AES-128-CBC-MAC per MEGA chunk, over the plaintext, on
 * node:crypto. One CTR cipher runs across the whole stream; each chunk gets a fresh CBC cipher (IV = nonce‖nonce)
 * whose last output block is the chunk MAC, so the MAC costs one OpenSSL call per piece instead of one per 16-byte
 * block. Pieces larger than `maxPiece` are fed in sub-pieces: node's `update()` allocates its output, and on
 * Node 20 allocations of 128 KiB or more take a slow mmap path (crypto-performance.md §1.2).
 */
import { createCipheriv, type Cipher } from 'node:crypto';
import { ctrIv } from '../crypto';
import { chunkCeil, chunkIndex } from './chunk-math';

const ZERO_PAD = Buffer.alloc(16);
const DEFAULT_MAX_PIECE = 64 * 1024;

type TransferableArrayBuffer = ArrayBuffer & { transfer?: (length: number) => ArrayBuffer };

/**
 * Frees a buffer we own and will never read again, now rather than at the next GC. node's cipher `update()` returns a
 * fresh buffer per call; the CBC-MAC output is garbage except its last block, and the GC lets tens of MiB of such
 * external memory pile up before it runs. Detaching the ArrayBuffer (`transfer(0)`, Node 22+) releases it at once.
 * Only a buffer that is the whole of its ArrayBuffer (never a pooled slice) is released.
 */
export function releaseBuffer(buffer: Buffer): void {
	const backing = buffer.buffer as TransferableArrayBuffer;
	if (typeof backing.transfer === 'function' && buffer.length >= 4096 && buffer.byteOffset === 0 && backing.byteLength === buffer.length) {
		backing.transfer(0);
	}
}

export interface ChunkMac {
	/** 0-based chunk index in the file (orders the MACs for the meta-MAC). */
	index: number;
	mac: Buffer;
}

export class ChunkCipher {
	private readonly ctr: Cipher;
	private cbc: Cipher | undefined;
	private readonly lastBlock = Buffer.alloc(16);
	private hasLastBlock = false;
	private chunkEnd: number;
	private position: number;
	private readonly macIv: Buffer;
	readonly macs: ChunkMac[] = [];

	/**
	 * @param mode 'encrypt' MACs the input then encrypts it; 'decrypt' decrypts then MACs the output.
	 * @param start stream offset of the first byte fed; a multiple of 16, and a chunk boundary when MACs are wanted.
	 * @param size the file size (the final chunk ends there).
	 * @param withMac false for byte-range reads that cannot be verified.
	 */
	constructor(
		private readonly mode: 'encrypt' | 'decrypt',
		private readonly key: Buffer,
		nonce: Buffer,
		start: number,
		private readonly size: number,
		private readonly withMac = true,
		private readonly maxPiece = DEFAULT_MAX_PIECE,
	) {
		if (start % 16 !== 0) throw new RangeError('CTR start offset must be a multiple of 16');
		this.ctr = createCipheriv('aes-128-ctr', key, ctrIv(nonce, start));
		this.macIv = Buffer.concat([nonce.subarray(0, 8), nonce.subarray(0, 8)]);
		this.position = start;
		this.chunkEnd = Math.min(chunkCeil(start), size);
	}

	get offset(): number {
		return this.position;
	}

	/** Processes the next piece (any length); returns the output pieces (ciphertext or plaintext), in order. */
	update(input: Buffer, out: Buffer[] = []): Buffer[] {
		let at = 0;
		while (at < input.length) {
			const room = this.withMac ? this.chunkEnd - this.position : this.size - this.position;
			if (room <= 0) throw new RangeError('More data than the file size');
			const take = Math.min(input.length - at, room, this.maxPiece);
			const piece = at === 0 && take === input.length ? input : input.subarray(at, at + take);
			if (this.mode === 'encrypt') {
				if (this.withMac) this.mac(piece);
				out.push(this.ctr.update(piece));
			} else {
				const plain = this.ctr.update(piece);
				if (this.withMac) this.mac(plain);
				out.push(plain);
			}
			at += take;
			this.position += take;
			if (this.withMac && this.position === this.chunkEnd) this.closeChunk();
		}
		return out;
	}

	private mac(piece: Buffer): void {
		if (!this.cbc) {
			this.cbc = createCipheriv('aes-128-cbc', this.key, this.macIv).setAutoPadding(false);
		}
		const produced = this.cbc.update(piece);
		if (produced.length >= 16) {
			produced.copy(this.lastBlock, 0, produced.length - 16);
			this.hasLastBlock = true;
		}
		releaseBuffer(produced);
	}

	private closeChunk(): void {
		const pad = this.position % 16;
		if (pad !== 0) this.mac(ZERO_PAD.subarray(0, 16 - pad));
		if (this.hasLastBlock) this.macs.push({ index: chunkIndex(this.position - 1), mac: Buffer.from(this.lastBlock) });
		this.cbc = undefined;
		this.hasLastBlock = false;
		this.chunkEnd = Math.min(chunkCeil(this.position), this.size);
	}
}
