import { createCipheriv, createDecipheriv, type Cipher, type Decipher } from 'node:crypto';
import { InvalidKeyError } from './errors';

const ZERO_IV = Buffer.alloc(16);

export function assertLength(value: Buffer, length: number, what: string): void {
	if (!Buffer.isBuffer(value) || value.length !== length) {
		throw new InvalidKeyError(`${what} must be ${length} bytes, got ${Buffer.isBuffer(value) ? value.length : typeof value}`);
	}
}

export function assertBlocks(data: Buffer, what: string): void {
	if (!Buffer.isBuffer(data) || data.length % 16 !== 0) {
		throw new InvalidKeyError(`${what} must be a multiple of 16 bytes, got ${Buffer.isBuffer(data) ? data.length : typeof data}`);
	}
}

/** Zero-pads to a multiple of 16 (MEGA pads attributes and file-attribute blobs with NULs). */
export function zeroPad16(data: Buffer): Buffer {
	const remainder = data.length % 16;
	return remainder === 0 ? data : Buffer.concat([data, Buffer.alloc(16 - remainder)]);
}

function run(cipher: Cipher | Decipher, data: Buffer): Buffer {
	cipher.setAutoPadding(false);
	const head = cipher.update(data);
	const tail = cipher.final();
	return tail.length === 0 ? head : Buffer.concat([head, tail]);
}

export function aesEcbEncrypt(key: Buffer, data: Buffer): Buffer {
	assertLength(key, 16, 'AES key');
	assertBlocks(data, 'ECB data');
	return run(createCipheriv('aes-128-ecb', key, null), data);
}

export function aesEcbDecrypt(key: Buffer, data: Buffer): Buffer {
	assertLength(key, 16, 'AES key');
	assertBlocks(data, 'ECB data');
	return run(createDecipheriv('aes-128-ecb', key, null), data);
}

/** MEGA's `encrypt_key`: every 16-byte block ECB-encrypted on its own (master key, node keys, privk, `ha`). */
export function encryptKey(wrappingKey: Buffer, key: Buffer): Buffer {
	return aesEcbEncrypt(wrappingKey, key);
}

export function decryptKey(wrappingKey: Buffer, encrypted: Buffer): Buffer {
	return aesEcbDecrypt(wrappingKey, encrypted);
}

/**
 * One OpenSSL context per direction, reused for every call. ECB keeps no state between blocks, so reuse is safe
 * as long as every input is whole blocks; it avoids createCipheriv's per-call cost (2.5 µs on Node 20, ~14 µs on Node 24).
 */
export class AesEcb {
	private readonly encryptor: Cipher;
	private readonly decryptor: Decipher;

	constructor(key: Buffer) {
		assertLength(key, 16, 'AES key');
		this.encryptor = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
		this.decryptor = createDecipheriv('aes-128-ecb', key, null).setAutoPadding(false);
	}

	encrypt(data: Buffer): Buffer {
		assertBlocks(data, 'ECB data');
		return this.encryptor.update(data);
	}

	decrypt(data: Buffer): Buffer {
		assertBlocks(data, 'ECB data');
		return this.decryptor.update(data);
	}
}

/** AES-CBC with a zero IV and zero padding, as MEGA uses for attributes and thumbnails/previews. */
export function aesCbcEncryptZeroIv(key: Buffer, data: Buffer): Buffer {
	assertLength(key, 16, 'AES key');
	return run(createCipheriv('aes-128-cbc', key, ZERO_IV), zeroPad16(data));
}

export function aesCbcDecryptZeroIv(key: Buffer, data: Buffer): Buffer {
	assertLength(key, 16, 'AES key');
	assertBlocks(data, 'CBC data');
	return run(createDecipheriv('aes-128-cbc', key, ZERO_IV), data);
}
