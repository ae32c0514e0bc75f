import { crc32 } from 'node:zlib';
import { base64urlDecode, base64urlEncode } from './base64url';
import { FingerprintError, MegaCryptoError } from './errors';

/** Files up to this size are CRC'd in full; larger ones are sampled (MEGA SDK `genfingerprint`). */
const MAX_FULL = 8192;
const LANES = 4;
const BLOCK = 64;
const BLOCKS_PER_LANE = MAX_FULL / (BLOCK * LANES);

function checkMtime(mtime: number): void {
	if (!Number.isSafeInteger(mtime) || mtime < 0) throw new RangeError(`mtime must be non-negative whole seconds, got ${mtime}`);
}

/** Offsets of the 4 × 32 sampled 64-byte blocks, with 64-bit integer math (not the SDK's old 32-bit wrap). */
function sampleOffsets(size: number): number[] {
	const span = BigInt(size - BLOCK);
	const last = BigInt(LANES * BLOCKS_PER_LANE - 1);
	const offsets: number[] = [];
	for (let k = 0; k < LANES * BLOCKS_PER_LANE; k++) offsets.push(Number((span * BigInt(k)) / last));
	return offsets;
}

function serializeMtime(mtime: number): Buffer {
	const bytes: number[] = [];
	for (let value = BigInt(mtime); value > 0n; value >>= 8n) bytes.push(Number(value & 0xffn));
	return Buffer.from([bytes.length, ...bytes]);
}

/**
 * Streaming fingerprint (`c` attribute): feed the file in order; only the bytes the fingerprint needs are kept
 * (at most 8 KiB), so memory does not grow with the file.
 */
export class FingerprintBuilder {
	private readonly crcInput: Buffer;
	private readonly offsets: number[] | undefined;
	private position = 0;
	private nextSample = 0;

	constructor(
		private readonly size: number,
		private readonly mtime: number,
	) {
		if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`size must be a non-negative integer, got ${size}`);
		checkMtime(mtime);
		if (size > MAX_FULL) {
			this.offsets = sampleOffsets(size);
			this.crcInput = Buffer.alloc(this.offsets.length * BLOCK);
		} else {
			this.crcInput = Buffer.alloc(size);
		}
	}

	update(piece: Buffer): this {
		const start = this.position;
		const end = start + piece.length;
		if (end > this.size) throw new FingerprintError(`Fingerprint input is longer than the declared size ${this.size}`);
		if (!this.offsets) {
			piece.copy(this.crcInput, start);
		} else {
			// Samples are in increasing offset order and may overlap; copy every part of them this piece covers.
			while (this.nextSample < this.offsets.length && this.offsets[this.nextSample] + BLOCK <= start) this.nextSample++;
			for (let k = this.nextSample; k < this.offsets.length && this.offsets[k] < end; k++) {
				const from = Math.max(this.offsets[k], start);
				const to = Math.min(this.offsets[k] + BLOCK, end);
				piece.copy(this.crcInput, k * BLOCK + (from - this.offsets[k]), from - start, to - start);
			}
		}
		this.position = end;
		return this;
	}

	/** The base64url `c` value: 16 CRC bytes ‖ mtime length byte ‖ little-endian mtime. */
	digest(): string {
		if (this.position !== this.size) {
			throw new FingerprintError(`Fingerprint got ${this.position} bytes, expected ${this.size}`);
		}
		const crc = Buffer.alloc(16);
		if (this.size <= 16) {
			this.crcInput.copy(crc);
		} else if (!this.offsets) {
			for (let lane = 0; lane < LANES; lane++) {
				const from = Math.floor((lane * this.size) / LANES);
				const to = Math.floor(((lane + 1) * this.size) / LANES);
				crc.writeUInt32BE(crc32(this.crcInput.subarray(from, to)), lane * 4);
			}
		} else {
			const laneBytes = BLOCKS_PER_LANE * BLOCK;
			for (let lane = 0; lane < LANES; lane++) {
				crc.writeUInt32BE(crc32(this.crcInput.subarray(lane * laneBytes, (lane + 1) * laneBytes)), lane * 4);
			}
		}
		return base64urlEncode(Buffer.concat([crc, serializeMtime(this.mtime)]));
	}
}

/** Fingerprint of a whole buffer. */
export function fingerprint(content: Buffer, mtime: number): string {
	return new FingerprintBuilder(content.length, mtime).update(content).digest();
}

export interface ParsedFingerprint {
	crc: Buffer;
	mtime: number;
}

export function parseFingerprint(c: string): ParsedFingerprint {
	let data: Buffer;
	try {
		data = base64urlDecode(c);
	} catch (error) {
		if (error instanceof MegaCryptoError) throw new FingerprintError('Fingerprint is not valid base64url');
		throw error;
	}
	if (data.length < 17) throw new FingerprintError(`Fingerprint too short (${data.length} bytes)`);
	const length = data[16];
	if (length > 8 || data.length < 17 + length) throw new FingerprintError('Fingerprint has a malformed mtime field');
	let mtime = 0n;
	for (let i = length - 1; i >= 0; i--) mtime = (mtime << 8n) | BigInt(data[17 + i]);
	if (mtime > BigInt(Number.MAX_SAFE_INTEGER)) throw new FingerprintError('Fingerprint mtime is out of range');
	return { crc: Buffer.from(data.subarray(0, 16)), mtime: Number(mtime) };
}

/** Modification time (unix seconds) recorded in a `c` attribute. */
export function fingerprintMtime(c: string): number {
	return parseFingerprint(c).mtime;
}
