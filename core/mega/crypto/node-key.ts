import { assertLength } from './aes';
import { InvalidKeyError } from './errors';

export interface UnpackedNodeKey {
	/** 16-byte AES key (CTR, MACs, attributes). */
	key: Buffer;
	/** 8-byte CTR nonce. */
	nonce: Buffer;
	/** 8-byte meta-MAC the content must match. */
	metaMac: Buffer;
}

function xor16(a: Buffer, b: Buffer): Buffer {
	const out = Buffer.alloc(16);
	for (let i = 0; i < 16; i++) out[i] = a[i] ^ b[i];
	return out;
}

/** 32-byte file key: (key XOR nonce‖metaMac) ‖ nonce ‖ metaMac. */
export function packNodeKey(key: Buffer, nonce: Buffer, metaMac: Buffer): Buffer {
	assertLength(key, 16, 'AES key');
	assertLength(nonce, 8, 'Nonce');
	assertLength(metaMac, 8, 'Meta-MAC');
	const tail = Buffer.concat([nonce, metaMac]);
	return Buffer.concat([xor16(key, tail), tail]);
}

export function unpackNodeKey(nodeKey: Buffer): UnpackedNodeKey {
	assertLength(nodeKey, 32, 'File key');
	const tail = nodeKey.subarray(16, 32);
	return {
		key: xor16(nodeKey.subarray(0, 16), tail),
		nonce: Buffer.from(nodeKey.subarray(16, 24)),
		metaMac: Buffer.from(nodeKey.subarray(24, 32)),
	};
}

/** The AES key of a node: a folder key (16 bytes) is used as is, a file key (32 bytes) is folded. */
export function nodeAesKey(nodeKey: Buffer): Buffer {
	if (Buffer.isBuffer(nodeKey) && nodeKey.length === 16) return nodeKey;
	if (Buffer.isBuffer(nodeKey) && nodeKey.length === 32) return unpackNodeKey(nodeKey).key;
	throw new InvalidKeyError(`Node key must be 16 (folder) or 32 (file) bytes, got ${Buffer.isBuffer(nodeKey) ? nodeKey.length : typeof nodeKey}`);
}
