import { aesCbcDecryptZeroIv, aesCbcEncryptZeroIv } from './aes';
import { AttributeDecryptError } from './errors';
import { nodeAesKey } from './node-key';

const PREFIX = Buffer.from('MEGA{"', 'ascii');

/** `MEGA` + JSON, zero-padded, AES-CBC with a zero IV. The key is a folder key or a 32-byte file key (folded). */
export function encryptAttributes(attrs: object, key: Buffer): Buffer {
	const json = JSON.stringify(attrs);
	if (typeof json !== 'string' || !json.startsWith('{')) throw new TypeError('Attributes must be a JSON object');
	return aesCbcEncryptZeroIv(nodeAesKey(key), Buffer.from(`MEGA${json}`, 'utf8'));
}

/** Inverse of encryptAttributes. A wrong key or corrupt data is an AttributeDecryptError, never garbage. */
export function decryptAttributes(data: Buffer, key: Buffer): Record<string, unknown> {
	const aesKey = nodeAesKey(key);
	if (!Buffer.isBuffer(data) || data.length === 0 || data.length % 16 !== 0) {
		throw new AttributeDecryptError(`Encrypted attributes must be a non-empty multiple of 16 bytes, got ${Buffer.isBuffer(data) ? data.length : typeof data}`);
	}
	const plain = aesCbcDecryptZeroIv(aesKey, data);
	if (!plain.subarray(0, PREFIX.length).equals(PREFIX)) {
		throw new AttributeDecryptError('Attributes did not decrypt to MEGA{…}: wrong key or corrupt data');
	}
	const end = plain.indexOf(0);
	const text = plain.subarray(4, end === -1 ? plain.length : end).toString('utf8');
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		throw new AttributeDecryptError('Decrypted attributes are not valid JSON: wrong key or corrupt data', { cause: error });
	}
	if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new AttributeDecryptError('Decrypted attributes are not a JSON object');
	}
	return parsed as Record<string, unknown>;
}
