/** RFC 6238 time-based one-time passwords (the 2FA codes MEGA asks for), computed locally with node:crypto HMAC. */
import { createHmac } from 'node:crypto';

import { MegaCredentialError } from './errors';

export interface TotpOptions {
	digits?: number;
	periodSeconds?: number;
	algorithm?: 'sha1' | 'sha256' | 'sha512';
}

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (case-insensitive; spaces, dashes and `=` padding ignored), as authenticator apps show secrets. */
export function decodeBase32(text: string): Buffer {
	const clean = text.toUpperCase().replace(/[\s=-]/g, '');
	if (clean === '') throw new MegaCredentialError('The TOTP secret is empty', 'ETOTPSECRET');
	const bytes: number[] = [];
	let buffer = 0;
	let bits = 0;
	for (const char of clean) {
		const value = BASE32_ALPHABET.indexOf(char);
		if (value < 0) {
			throw new MegaCredentialError('The TOTP secret is not valid base32', 'ETOTPSECRET', 'Copy the secret shown when 2FA was set up (letters A-Z and digits 2-7).');
		}
		buffer = (buffer << 5) | value;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			bytes.push((buffer >> bits) & 0xff);
		}
	}
	return Buffer.from(bytes);
}

/** HOTP (RFC 4226) for one counter value. */
export function hotp(secret: Buffer, counter: number, digits = 6, algorithm: TotpOptions['algorithm'] = 'sha1'): string {
	const message = Buffer.alloc(8);
	message.writeBigUInt64BE(BigInt(counter));
	const digest = createHmac(algorithm, secret).update(message).digest();
	const offset = digest[digest.length - 1] & 0x0f;
	const binary = digest.readUInt32BE(offset) & 0x7fffffff;
	return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The TOTP code for `timeMs` (default now). `secret` is base32 text or raw bytes. */
export function totp(secret: string | Buffer, timeMs = Date.now(), options: TotpOptions = {}): string {
	const key = typeof secret === 'string' ? decodeBase32(secret) : secret;
	const period = options.periodSeconds ?? 30;
	const counter = Math.floor(timeMs / 1000 / period);
	return hotp(key, counter, options.digits ?? 6, options.algorithm ?? 'sha1');
}
