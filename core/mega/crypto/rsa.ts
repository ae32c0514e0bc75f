import { constants, createPrivateKey, generateKeyPair, privateDecrypt, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { decryptKey, encryptKey, assertLength } from './aes';
import { InvalidKeyError, RsaKeyError } from './errors';
import { bigintToBuffer, bitLength, bufferToBigint, encodeMpi, gcd, mod, modInverse, modPow, readMpi } from './mpi';

/** MEGA RSA private key: p, q = first and second MPI of `privk`, u = p⁻¹ mod q; n and e derived. */
export interface MegaRsaPrivateKey {
	p: bigint;
	q: bigint;
	d: bigint;
	u: bigint;
	n: bigint;
	e: bigint;
}

export interface MegaRsaPublicKey {
	n: bigint;
	e: bigint;
}

const generateKeyPairAsync = promisify(generateKeyPair);
const nativeKeys = new WeakMap<MegaRsaPrivateKey, KeyObject>();
const SID_LENGTH = 43;

function b64(value: bigint): string {
	return bigintToBuffer(value).toString('base64url');
}

function completeKey(p: bigint, q: bigint, d: bigint, u: bigint): MegaRsaPrivateKey {
	if (p < 3n || q < 3n || d < 1n) throw new RsaKeyError('RSA private key has empty or tiny components');
	if (mod(u * p, q) !== 1n) throw new RsaKeyError('RSA private key is inconsistent: u is not p⁻¹ mod q (wrong master key?)');
	// privk carries no public exponent; e = d⁻¹ mod λ(n) (OpenSSL needs e for blinding).
	const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
	let e: bigint;
	try {
		e = modInverse(d, lambda);
	} catch (error) {
		throw new RsaKeyError('RSA private key is inconsistent: d has no inverse mod λ(n) (wrong master key?)', { cause: error });
	}
	return { p, q, d, u, n: p * q, e };
}

/** Parses a decrypted `privk`: MPI(p) ‖ MPI(q) ‖ MPI(d) ‖ MPI(u), then up to 15 padding bytes. */
export function decodePrivateKey(blob: Buffer): MegaRsaPrivateKey {
	const values: bigint[] = [];
	let offset = 0;
	for (let i = 0; i < 4; i++) {
		const { value, next } = readMpi(blob, offset);
		values.push(value);
		offset = next;
	}
	if (blob.length - offset >= 16) throw new RsaKeyError(`RSA private key blob has ${blob.length - offset} trailing bytes (at most 15 expected)`);
	const [p, q, d, u] = values;
	return completeKey(p, q, d, u);
}

export function encodePrivateKey(key: MegaRsaPrivateKey): Buffer {
	return Buffer.concat([encodeMpi(key.p), encodeMpi(key.q), encodeMpi(key.d), encodeMpi(key.u)]);
}

/** `pubk`: MPI(n) ‖ MPI(e). */
export function decodePublicKey(pubk: Buffer): MegaRsaPublicKey {
	const n = readMpi(pubk, 0);
	const e = readMpi(pubk, n.next);
	if (n.value < 3n || e.value < 3n) throw new RsaKeyError('RSA public key has empty or tiny components');
	return { n: n.value, e: e.value };
}

export function encodePublicKey(key: MegaRsaPublicKey): Buffer {
	return Buffer.concat([encodeMpi(key.n), encodeMpi(key.e)]);
}

export function publicKeyOf(key: MegaRsaPrivateKey): MegaRsaPublicKey {
	return { n: key.n, e: key.e };
}

/** Random-pads the encoded key to whole AES blocks and ECB-encrypts it with the master key (`privk`). */
export function wrapPrivateKey(masterKey: Buffer, key: MegaRsaPrivateKey): Buffer {
	const blob = encodePrivateKey(key);
	const padding = (16 - (blob.length % 16)) % 16;
	return encryptKey(masterKey, Buffer.concat([blob, randomBytes(padding)]));
}

export function unwrapPrivateKey(masterKey: Buffer, privk: Buffer): MegaRsaPrivateKey {
	if (!Buffer.isBuffer(privk) || privk.length === 0 || privk.length % 16 !== 0) {
		throw new RsaKeyError(`Encrypted RSA private key must be a non-empty multiple of 16 bytes, got ${Buffer.isBuffer(privk) ? privk.length : typeof privk}`);
	}
	return decodePrivateKey(decryptKey(masterKey, privk));
}

/** A 2048-bit key with e = 257 (as MEGA's clients make) that passes the web client's size checks. */
export async function generateRsaKeyPair(): Promise<MegaRsaPrivateKey> {
	for (;;) {
		const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048, publicExponent: 257 });
		const jwk = privateKey.export({ format: 'jwk' });
		const [p, q, d] = [jwk.p, jwk.q, jwk.d].map((part) => bufferToBigint(Buffer.from(part as string, 'base64url')));
		const u = modInverse(p, q);
		if (bitLength(p) >= 1000 && bitLength(q) >= 1000 && bitLength(d) >= 2000 && bitLength(u) >= 1000) {
			return completeKey(p, q, d, u);
		}
	}
}

function modulusBytes(n: bigint): number {
	return Math.ceil(bitLength(n) / 8);
}

function nativeKey(key: MegaRsaPrivateKey): KeyObject {
	let native = nativeKeys.get(key);
	if (!native) {
		native = createPrivateKey({
			format: 'jwk',
			key: {
				kty: 'RSA',
				n: b64(key.n),
				e: b64(key.e),
				d: b64(key.d),
				p: b64(key.p),
				q: b64(key.q),
				dp: b64(key.d % (key.p - 1n)),
				dq: b64(key.d % (key.q - 1n)),
				qi: b64(modInverse(key.q, key.p)),
			},
		});
		nativeKeys.set(key, native);
	}
	return native;
}

/** Raw RSA (no padding) with OpenSSL; returns the plaintext as a big-endian block of the modulus size. */
export function rsaDecrypt(key: MegaRsaPrivateKey, ciphertext: bigint | Buffer): Buffer {
	const c = typeof ciphertext === 'bigint' ? ciphertext : bufferToBigint(ciphertext);
	if (c >= key.n) throw new RsaKeyError('RSA ciphertext is not smaller than the modulus (wrong key?)');
	const size = modulusBytes(key.n);
	return privateDecrypt({ key: nativeKey(key), padding: constants.RSA_NO_PADDING }, bigintToBuffer(c, size));
}

/** Raw RSA encryption (c = mᵉ mod n, e is small); returns the minimal bytes of c. */
export function rsaEncrypt(key: MegaRsaPublicKey, plaintext: Buffer): Buffer {
	const m = bufferToBigint(plaintext);
	if (m >= key.n) throw new RsaKeyError('RSA plaintext is not smaller than the modulus');
	return bigintToBuffer(modPow(m, key.e, key.n));
}

/**
 * `csid` bytes (an MPI) to the 43-byte session id, by the SDK's rule: the plaintext, left-padded to
 * max(bytes(p) + bytes(q) − 2, its own length), starts with the sid. Accepts 254- and 255-byte plaintexts.
 */
export function decryptSessionId(key: MegaRsaPrivateKey, csid: Buffer): Buffer {
	const { value } = readMpi(csid, 0);
	const block = rsaDecrypt(key, value);
	const firstNonZero = block.findIndex((byte) => byte !== 0);
	const significant = firstNonZero === -1 ? Buffer.alloc(0) : block.subarray(firstNonZero);
	const field = Math.max(modulusBytes(key.p) + modulusBytes(key.q) - 2, significant.length);
	const padded = Buffer.concat([Buffer.alloc(field - significant.length), significant]);
	if (padded.length < SID_LENGTH) throw new RsaKeyError('Decrypted session id is too short');
	return Buffer.from(padded.subarray(0, SID_LENGTH));
}

/**
 * What the server sends as `csid`: MPI(RSA(sid ‖ random padding)) with a plaintext one byte shorter than the modulus.
 * The sid must start with a non-zero byte so that every client (the web client insists on 255 bytes) reads it back.
 */
export function encryptSessionId(key: MegaRsaPublicKey, sid: Buffer): Buffer {
	assertLength(sid, SID_LENGTH, 'Session id');
	if (sid[0] === 0) throw new InvalidKeyError('Session id must start with a non-zero byte (use createSessionId)');
	const plaintextLength = modulusBytes(key.n) - 1;
	if (plaintextLength < SID_LENGTH) throw new RsaKeyError('RSA modulus too small for a session id');
	const plaintext = Buffer.concat([sid, randomBytes(plaintextLength - SID_LENGTH)]);
	return encodeMpi(bufferToBigint(rsaEncrypt(key, plaintext)));
}

/** A fresh 43-byte sid: 16 random bytes (first non-zero) ‖ the 11 ASCII chars of the user handle ‖ 16 random bytes. */
export function createSessionId(userHandle: string): Buffer {
	if (typeof userHandle !== 'string' || !/^[A-Za-z0-9_-]{11}$/.test(userHandle)) {
		throw new InvalidKeyError('User handle must be 11 base64url characters');
	}
	const head = randomBytes(16);
	while (head[0] === 0) head[0] = randomBytes(1)[0];
	return Buffer.concat([head, Buffer.from(userHandle, 'ascii'), randomBytes(16)]);
}

/** The user handle embedded in a sid (bytes 16..27); clients compare it with `u` from `us`. */
export function sessionIdUserHandle(sid: Buffer): string {
	assertLength(sid, SID_LENGTH, 'Session id');
	return sid.subarray(16, 27).toString('ascii');
}
