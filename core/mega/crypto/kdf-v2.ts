import { createHash, pbkdf2, pbkdf2Sync, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { base64urlDecode, base64urlEncode } from './base64url';
import { assertLength } from './aes';

const ITERATIONS = 100_000;
const pbkdf2Async = promisify(pbkdf2);

export interface DerivedKeyV2 {
	/** AES key that decrypts the master key (bytes 0..16 of the PBKDF2 output). */
	passwordKey: Buffer;
	/** `uh` sent with `us`: base64url of bytes 16..32 (the raw auth key). */
	userHash: string;
}

function split(derived: Buffer): DerivedKeyV2 {
	return { passwordKey: derived.subarray(0, 16), userHash: base64urlEncode(derived.subarray(16, 32)) };
}

function checkSalt(salt: Buffer): void {
	if (!Buffer.isBuffer(salt) || salt.length === 0) throw new TypeError('The v2 salt must be a non-empty Buffer');
}

/** MEGA v2: PBKDF2-HMAC-SHA512(UTF-8 password, salt, 100,000 iterations, 32 bytes). Synchronous (~40–48 ms). */
export function deriveKeyV2(password: string, salt: Buffer): DerivedKeyV2 {
	checkSalt(salt);
	return split(pbkdf2Sync(Buffer.from(password, 'utf8'), salt, ITERATIONS, 32, 'sha512'));
}

/** Same as deriveKeyV2 on libuv's thread pool: does not block the event loop. */
export async function deriveKeyV2Async(password: string, salt: Buffer): Promise<DerivedKeyV2> {
	checkSalt(salt);
	return split(await pbkdf2Async(Buffer.from(password, 'utf8'), salt, ITERATIONS, 32, 'sha512'));
}

/** Salt as MEGA's SDK makes it at signup: SHA-256("mega.nz" right-padded with 'P' to 200 bytes ‖ 16 client-random bytes). */
export function createSaltV2(clientRandom: Buffer = randomBytes(16)): Buffer {
	assertLength(clientRandom, 16, 'Client random value');
	const label = Buffer.alloc(200, 'P');
	label.write('mega.nz', 0, 'ascii');
	return createHash('sha256').update(label).update(clientRandom).digest();
}

/** `hak`: SHA-256 of the auth key, first 16 bytes; lets a server check a v2 `uh` without storing it. */
export function hashAuthKeyV2(userHash: string | Buffer): Buffer {
	const authKey = typeof userHash === 'string' ? base64urlDecode(userHash, 16) : userHash;
	assertLength(authKey, 16, 'Auth key');
	return createHash('sha256').update(authKey).digest().subarray(0, 16);
}
