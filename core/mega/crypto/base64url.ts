import { InvalidBase64Error, InvalidKeyError } from './errors';

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Unpadded base64url, the encoding of every binary value in MEGA's JSON. */
export function base64urlEncode(data: Buffer | Uint8Array): string {
	return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64url');
}

/**
 * Strict decoder: Node's own decoder silently skips bad characters, which would turn a corrupt
 * key into a wrong key. Rejects foreign characters, padding, impossible lengths and non-zero trailing bits.
 */
export function base64urlDecode(text: string, expectedLength?: number): Buffer {
	if (typeof text !== 'string') {
		throw new InvalidBase64Error(`Expected base64url text, got ${typeof text}`);
	}
	if (!BASE64URL.test(text)) {
		throw new InvalidBase64Error('Invalid base64url: only A-Z, a-z, 0-9, "-" and "_" are allowed (no padding)');
	}
	if (text.length % 4 === 1) {
		throw new InvalidBase64Error(`Invalid base64url: length ${text.length} cannot encode whole bytes`);
	}
	const data = Buffer.from(text, 'base64url');
	if (data.toString('base64url') !== text) {
		throw new InvalidBase64Error('Invalid base64url: non-canonical trailing bits');
	}
	if (expectedLength !== undefined && data.length !== expectedLength) {
		throw new InvalidKeyError(`Expected ${expectedLength} bytes, got ${data.length}`);
	}
	return data;
}
