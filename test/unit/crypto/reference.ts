/**
 * Deliberately naive, independent re-implementations used as test oracles: one AES block per call,
 * no CBC chaining tricks, table-driven CRC-32, HMAC-based PBKDF2. Slow but obviously right.
 */
import { createCipheriv, createHmac, type Cipher } from 'node:crypto';

const ecbByKey = new Map<string, Cipher>();

/** One AES-128 block encryption. ECB keeps no state between blocks, so one context per key is reused (Node 24's createCipheriv is slow). */
export function aesBlock(key: Buffer, block: Buffer): Buffer {
	const id = key.toString('hex');
	let cipher = ecbByKey.get(id);
	if (!cipher) {
		if (ecbByKey.size > 64) ecbByKey.clear();
		cipher = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
		ecbByKey.set(id, cipher);
	}
	return cipher.update(block);
}

export function xor(a: Buffer, b: Buffer): Buffer {
	return Buffer.from(a.map((byte, i) => byte ^ b[i]));
}

/** prepare_key over explicit password bytes, one cipher per operation. */
export function prepareKeyReference(passwordBytes: Buffer): Buffer {
	const padded = Buffer.alloc(Math.ceil(passwordBytes.length / 16) * 16);
	passwordBytes.copy(padded);
	let pkey: Buffer = Buffer.from('93c467e37db0c7a4d1be3f810152cb56', 'hex');
	for (let round = 0; round < 65536; round++) {
		for (let offset = 0; offset < padded.length; offset += 16) pkey = aesBlock(padded.subarray(offset, offset + 16), pkey);
	}
	return pkey;
}

/** Chunk boundaries written out from the rule: 128K × 1..8, then 1 MiB. */
export function referenceChunks(size: number): Array<[number, number]> {
	const out: Array<[number, number]> = [];
	let start = 0;
	for (let i = 1; start < size; i++) {
		const length = i <= 8 ? 131072 * i : 1048576;
		out.push([start, Math.min(start + length, size)]);
		start += length;
	}
	return out;
}

/** Block-by-block CBC-MAC of one chunk, mac = E(mac ^ block), zero-padded tail. */
export function chunkMacReference(key: Buffer, nonce: Buffer, chunk: Buffer): Buffer {
	let mac: Buffer = Buffer.concat([nonce, nonce]);
	for (let offset = 0; offset < chunk.length; offset += 16) {
		const block = Buffer.alloc(16);
		chunk.copy(block, 0, offset, offset + 16);
		mac = aesBlock(key, xor(mac, block));
	}
	return mac;
}

export function condenseReference(key: Buffer, macs: Buffer[]): Buffer {
	let mac: Buffer = Buffer.alloc(16);
	for (const chunk of macs) mac = aesBlock(key, xor(mac, chunk));
	return Buffer.concat([xor(mac.subarray(0, 4), mac.subarray(4, 8)), xor(mac.subarray(8, 12), mac.subarray(12, 16))]);
}

export function metaMacReference(key: Buffer, nonce: Buffer, data: Buffer): Buffer {
	return condenseReference(
		key,
		referenceChunks(data.length).map(([start, end]) => chunkMacReference(key, nonce, data.subarray(start, end))),
	);
}

/** CTR keystream block for block index `index` (a bigint, so no 32- or 53-bit limits): E(nonce ‖ BE64(index)). */
export function keystreamBlock(key: Buffer, nonce: Buffer, index: bigint): Buffer {
	const counter = Buffer.alloc(16);
	nonce.copy(counter);
	counter.writeBigUInt64BE(index, 8);
	return aesBlock(key, counter);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
	let c = n;
	for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c >>> 0;
});

export function crc32Reference(data: Buffer): number {
	let crc = 0xffffffff;
	for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
	return (crc ^ 0xffffffff) >>> 0;
}

/** PBKDF2-HMAC-SHA512 from RFC 8018 §5.2 with createHmac (two blocks of 64 bytes cover 32 bytes in one). */
export function pbkdf2Reference(password: Buffer, salt: Buffer, iterations: number, length: number): Buffer {
	const blocks: Buffer[] = [];
	for (let block = 1; blocks.length * 64 < length; block++) {
		const index = Buffer.alloc(4);
		index.writeUInt32BE(block);
		let u = createHmac('sha512', password).update(salt).update(index).digest();
		const t = Buffer.from(u);
		for (let i = 1; i < iterations; i++) {
			u = createHmac('sha512', password).update(u).digest();
			for (let j = 0; j < t.length; j++) t[j] ^= u[j];
		}
		blocks.push(t);
	}
	return Buffer.concat(blocks).subarray(0, length);
}
