import { randomBytes } from 'node:crypto';
import { totp } from '../../core/mega/totp';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

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

/** RFC 6238 code (HMAC-SHA1, 6 digits, 30-second steps), as authenticator apps compute it: the core's own TOTP. */
export function totpCode(secretBase32: string, timeMs: number = Date.now()): string {
	return totp(secretBase32, timeMs);
}

/** Accepts the current code and its neighbours (one step of clock skew either way). */
export function verifyTotp(secretBase32: string, code: unknown, timeMs: number = Date.now()): boolean {
	if (typeof code !== 'string' || !/^\d{6}$/.test(code)) return false;
	return [-1, 0, 1].some((step) => totpCode(secretBase32, timeMs + step * 30_000) === code);
}
