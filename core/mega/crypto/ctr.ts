import { createCipheriv, type Cipher } from 'node:crypto';
import { assertLength } from './aes';

function checkOffset(offset: number): void {
	if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`CTR offset must be a non-negative safe integer, got ${offset}`);
}

/** Counter block for byte `offset`: nonce(8) ‖ big-endian 64-bit block index (offset / 16). */
export function ctrIv(nonce: Buffer, offset: number): Buffer {
	assertLength(nonce, 8, 'Nonce');
	checkOffset(offset);
	const iv = Buffer.alloc(16);
	nonce.copy(iv, 0);
	iv.writeBigUInt64BE(BigInt(Math.floor(offset / 16)), 8);
	return iv;
}

/**
 * An AES-128-CTR cipher positioned at byte `offset` of the file (encryption and decryption are the same operation),
 * for use inside a Transform stream. An unaligned offset discards the keystream bytes before it.
 */
export function createCtrCipher(key: Buffer, nonce: Buffer, offset = 0): Cipher {
	assertLength(key, 16, 'AES key');
	const cipher = createCipheriv('aes-128-ctr', key, ctrIv(nonce, offset));
	const skip = offset % 16;
	if (skip > 0) cipher.update(Buffer.alloc(skip));
	return cipher;
}

/** En/decrypts `data` that sits at byte `offset` of the file. */
export function ctrAt(key: Buffer, nonce: Buffer, offset: number, data: Buffer): Buffer {
	return createCtrCipher(key, nonce, offset).update(data);
}
