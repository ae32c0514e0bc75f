import { randomBytes } from 'node:crypto';

/** A MEGA error code travelling up from a command handler to the reply array. */
export class ApiError extends Error {
	constructor(readonly code: number, message?: string) {
		super(message ?? `MEGA API error ${code}`);
		this.name = 'ApiError';
	}
}

export const EINTERNAL = -1;
export const EARGS = -2;
export const EAGAIN = -3;
export const ERATELIMIT = -4;
export const EFAILED = -5;
export const ETOOMANY = -6;
export const ERANGE = -7;
export const EEXPIRED = -8;
export const ENOENT = -9;
export const ECIRCULAR = -10;
export const EACCESS = -11;
export const EEXIST = -12;
export const EKEY = -14;
export const ESID = -15;
export const EOVERQUOTA = -17;
export const EMFAREQUIRED = -26;

export function b64(data: Buffer): string {
	return data.toString('base64url');
}

/** Lenient decode for values whose shape the server only stores; strict checks happen where they matter. */
export function unb64(text: string): Buffer {
	return Buffer.from(text, 'base64url');
}

export function isB64(text: unknown, length?: number): text is string {
	if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text)) return false;
	return length === undefined || text.length === length;
}

/** 8-char node handle / public handle (6 random bytes). */
export function randomNodeHandle(): string {
	return b64(randomBytes(6));
}

/** 11-char user handle (8 random bytes). */
export function randomUserHandle(): string {
	return b64(randomBytes(8));
}

export function randomToken(bytes = 24): string {
	return b64(randomBytes(bytes));
}

/** `sn` on the wire: the 8-byte big-endian sequence number in base64url (11 chars). */
export function encodeSn(seq: bigint): string {
	const buf = Buffer.alloc(8);
	buf.writeBigUInt64BE(seq);
	return b64(buf);
}

export function decodeSn(text: unknown): bigint | undefined {
	if (!isB64(text, 11)) return undefined;
	const buf = unb64(text);
	if (buf.length !== 8) return undefined;
	return buf.readBigUInt64BE();
}

export function nowSeconds(): number {
	return Math.floor(Date.now() / 1000);
}

export function asString(value: unknown): string | undefined {
	return typeof value === 'string' ? value : undefined;
}

export function requireString(value: unknown): string {
	if (typeof value !== 'string' || value.length === 0) throw new ApiError(EARGS);
	return value;
}

/** A control-API or provisioning failure with the HTTP status the control endpoint answers. */
export class SandboxHttpError extends Error {
	constructor(
		readonly status: number,
		message: string,
	) {
		super(message);
		this.name = 'SandboxHttpError';
	}
}
