import { createHmac, randomBytes } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export class TotpSecretError extends Error {
	constructor() {
		super('TOTP secret must be base32 (A-Z, 2-7)');
		this.name = 'TotpSecretError';
	}
}

export function base32Decode(text: string): Buffer {
	const clean = text.replace(/[\s=]/g, '').toUpperCase();
	if (clean.length === 0 || /[^A-Z2-7]/.test(clean)) throw new TotpSecretError();
	let bits = 0;
	let value = 0;
	const out: number[] = [];
	for (const char of clean) {
		value = (value << 5) | BASE32.indexOf(char);
		bits += 5;
		if (bits >= 8) {
			out.push((value >>> (bits - 8)) & 0xff);
			bits -= 8;
		}
	}
	return Buffer.from(out);
}

export function base32Encode(data: Buffer): string {
	let bits = 0;
	let value = 0;
	let out = '';
	for (const byte of data) {
		value = (value << 8) | byte;
		bits += 8;
		while (bits >= 5) {
			out += BASE32[(value >>> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
	return out;
}

export function randomTotpSecret(): string {
	return base32Encode(randomBytes(20));
}

/** RFC 6238 code (HMAC-SHA1, 6 digits, 30-second steps), as authenticator apps compute it. */
export function totpCode(secretBase32: string, timeMs: number = Date.now()): string {
	const key = base32Decode(secretBase32);
	const counter = Buffer.alloc(8);
	counter.writeBigUInt64BE(BigInt(Math.floor(timeMs / 1000 / 30)));
	const mac = createHmac('sha1', key).update(counter).digest();
	const offset = mac[mac.length - 1] & 0x0f;
	const binary = mac.readUInt32BE(offset) & 0x7fffffff;
	return String(binary % 1_000_000).padStart(6, '0');
}

/** Accepts the current code and its neighbours (one step of clock skew either way). */
export function verifyTotp(secretBase32: string, code: unknown, timeMs: number = Date.now()): boolean {
	if (typeof code !== 'string' || !/^\d{6}$/.test(code)) return false;
	return [-1, 0, 1].some((step) => totpCode(secretBase32, timeMs + step * 30_000) === code);
}
