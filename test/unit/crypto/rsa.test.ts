import { randomBytes } from 'node:crypto';
import {
	base64urlDecode,
	base64urlEncode,
	createSessionId,
	decodePrivateKey,
	decodePublicKey,
	decryptKey,
	decryptSessionId,
	deriveKeyV1,
	encodeMpi,
	encodePrivateKey,
	encodePublicKey,
	encryptSessionId,
	generateRsaKeyPair,
	InvalidKeyError,
	publicKeyOf,
	readMpi,
	rsaDecrypt,
	RsaKeyError,
	sessionIdUserHandle,
	unwrapPrivateKey,
	wrapPrivateKey,
	type MegaRsaPrivateKey,
} from '../../../core/mega/crypto';

// mega-mock's preloaded user mock@test / mock (qgustavor/mega-mock cli/preloaded-users.json), mega-protocol.md §2.2.
const MOCK_K = 'xMEmMmKm0AbbOf9nGPLgSA';
const MOCK_PRIVK =
	'AY5AYTQVUt772M3pLi9v7WNhUSYhvrGOnXuyePr4bOlOlckyomWizvB6xqqHGkx3cYXGWTM3QrAxHPFRNhnd47cG974nkGJyjv7NL6vnIGsmtuiMNpLrrkl9nS8itTZCluBWV7jPc6dRlFWNQ7uiT-Bc6d2mFiApd3xYJuNXFmgFo2_8z_1HQhXWOFJIlsESXc_oaxg0QNx8zE9pCdrKWTCw07VKCbAvJNnYGFdSnEjv3phBUkOd2snyK3LA-Kn9ehPgfcDmSfLaCJ_5y5IN18rHGQdRt_Dxs_CabKYgmF6rKMJ8BCfunuOso6Gx984fOvtbyrwxeL6z0QbqsvGe6H3GpoY6d5M0tnFoJz_PlY0EX5gW6Eo0ZGSJ1xcyMewqQt2JBtw-LuMojrwctHc7KchgLgbqqbJHnuRYrOCjkJeySwOHoUR1lP8qjmHUIlSPaRvughULPIoAs6suoRNBgHq_LEvuAFb9zA05El3Z98eKH6Sxstw_K-d7ZbV_k4osKEwCgDa0Y9vTfpcxt6iw0IqGBqkt6v1U8u4lXaiue_0CVbxhrTH4N5Ceyy7yLsyt8ju6hKRljZ5G9fKcB6rvp3h5WxDnLdJ1KTuZatcZI37uAnEBHNhJJoJE-xNIAWIgcfpffQ-BXlBaejTIyAY_zf0SjRnXIYd3PvBVwRFGKNN7Yp-eEiS3nFTvtBuGv8YK1488UJhj4-jLaQdnFRxB3wFoFdaIPdIJowtZkaYlViZ15cNxd70EK97dgUJm9AUJKQGfIopl0ucEtxNUjXn6ekscILk23LpVNE3kDROCxyIOPTGCPKPo-FZtMTQkZxW3vZ6pxjzmCzTm5Q13XmMtMDrEsgVb9jWC9sEMlHxIMLA';
const MOCK_CSID =
	'CACRPiCIZqylaYVkXvUxvE4XkQeJrwTonOWCikeZFTRPxu5R97xTMTRxNeWlY5keMSLoUACOceI6CHjDLILL-6mQYN37_El9Y5bgmcwJtSHN54au0igwkxxZw_lD7lliQ4uSvSSihQ_iKjj2SxFFmF4F8Sa2UCYQz1iLMDhejR7YAaGGggII5e8jYbtNPOiwwPYf-AFWB7IfOFFXmZ6tLzDJrbodbhAc6EVaiPZZ4QyT6fdKchQeDkjDZu_ygxU0DBQEco1X6SuekGfORsannkJsgAIIlp1Uz-ZdZrrbXoXhFDsCXsibUWJJjF4cPwHMtPSjzcyE_vd-ViFKQJcNDain';

/** Independent square-and-multiply, so the native OpenSSL path is checked against plain bigint math. */
function power(base: bigint, exponent: bigint, modulus: bigint): bigint {
	let result = 1n;
	for (let b = base % modulus, e = exponent; e > 0n; e >>= 1n, b = (b * b) % modulus) if (e & 1n) result = (result * b) % modulus;
	return result;
}

const toBigint = (data: Buffer): bigint => BigInt(`0x${data.toString('hex') || '0'}`);
const bits = (value: bigint): number => value.toString(2).length;

describe('RSA and MPIs', () => {
	const mockMaster = decryptKey(deriveKeyV1('mock'), base64urlDecode(MOCK_K));
	let generated: MegaRsaPrivateKey;

	beforeAll(async () => {
		generated = await generateRsaKeyPair();
	});

	it('decodes the mock private key: 1024/1024/2048/1020-bit MPIs with u = p⁻¹ mod q, e = 257', () => {
		const key = unwrapPrivateKey(mockMaster, base64urlDecode(MOCK_PRIVK));
		expect([bits(key.p), bits(key.q), bits(key.d), bits(key.u)]).toEqual([1024, 1024, 2048, 1020]);
		expect((key.u * key.p) % key.q).toBe(1n);
		expect(key.n).toBe(key.p * key.q);
		expect(key.e).toBe(257n);
	});

	it('decrypts the mock csid to the sid mega-mock issued (its b64 starts with the user handle)', () => {
		const key = unwrapPrivateKey(mockMaster, base64urlDecode(MOCK_PRIVK));
		const csid = base64urlDecode(MOCK_CSID);
		const sid = decryptSessionId(key, csid);
		expect(sid).toHaveLength(43);
		expect(base64urlEncode(sid)).toMatch(/^jCf2Pc0pLCU_megamock_megamock_megamock_meg/);
		// Independent check with plain bigint RSA: m = c^d mod n, a 254-byte plaintext whose first 43 bytes are the sid.
		const m = power(toBigint(csid.subarray(2)), key.d, key.n);
		expect(Buffer.from(m.toString(16).padStart(508, '0'), 'hex').subarray(0, 43)).toEqual(sid);
		expect(rsaDecrypt(key, csid.subarray(2)).subarray(2, 45)).toEqual(sid);
	});

	it('generates 2048-bit keys with e = 257 that pass the web client checks', () => {
		expect(generated.e).toBe(257n);
		expect(bits(generated.n)).toBe(2048);
		expect(bits(generated.p)).toBeGreaterThanOrEqual(1000);
		expect(bits(generated.q)).toBeGreaterThanOrEqual(1000);
		expect(bits(generated.d)).toBeGreaterThanOrEqual(2000);
		expect(bits(generated.u)).toBeGreaterThanOrEqual(1000);
		expect((generated.u * generated.p) % generated.q).toBe(1n);
		const m = toBigint(randomBytes(200));
		expect(power(power(m, generated.e, generated.n), generated.d, generated.n)).toBe(m);
	});

	it('encrypts a sid for a public key like the server, and the client reads it back', () => {
		const sid = createSessionId('qKquyYFlNpI');
		expect(sid).toHaveLength(43);
		expect(sid[0]).not.toBe(0);
		expect(sessionIdUserHandle(sid)).toBe('qKquyYFlNpI');
		const pub = decodePublicKey(encodePublicKey(publicKeyOf(generated)));
		const csid = encryptSessionId(pub, sid);
		const { value: c, next } = readMpi(csid);
		expect(next).toBe(csid.length);
		// Independent decryption: the plaintext is 255 bytes (first byte non-zero) and starts with the sid.
		const m = power(c, generated.d, generated.n).toString(16);
		expect(m.length).toBe(510);
		expect(Buffer.from(m, 'hex').subarray(0, 43)).toEqual(sid);
		expect(decryptSessionId(generated, csid)).toEqual(sid);
	});

	it('accepts a 254-byte plaintext (SDK rule), as mega-mock sends', () => {
		const sid = createSessionId('qKquyYFlNpI');
		const plaintext = Buffer.concat([sid, randomBytes(254 - 43)]);
		const c = power(toBigint(plaintext), generated.e, generated.n);
		expect(decryptSessionId(generated, encodeMpi(c))).toEqual(sid);
	});

	it('wraps and unwraps private keys with the master key', () => {
		const master = randomBytes(16);
		const privk = wrapPrivateKey(master, generated);
		expect(privk.length % 16).toBe(0);
		expect(privk.length - encodePrivateKey(generated).length).toBeLessThan(16);
		expect(unwrapPrivateKey(master, privk)).toEqual(generated);
		expect(decodePrivateKey(encodePrivateKey(generated))).toEqual(generated);
	});

	it('encodes MPIs with the true bit count and reads MEGA’s 32-bit exponent field', () => {
		expect(encodeMpi(257n).toString('hex')).toBe('00090101');
		expect(encodeMpi(0n).toString('hex')).toBe('0000');
		expect(readMpi(Buffer.from('002000000101', 'hex'))).toEqual({ value: 257n, next: 6 });
		const pubk = Buffer.concat([encodeMpi(generated.n), Buffer.from('002000000101', 'hex')]);
		expect(decodePublicKey(pubk)).toEqual({ n: generated.n, e: 257n });
	});

	describe('error paths', () => {
		it('a wrong master key is an RsaKeyError', () => {
			expect(() => unwrapPrivateKey(randomBytes(16), base64urlDecode(MOCK_PRIVK))).toThrow(RsaKeyError);
		});

		it('rejects truncated MPIs, blobs and public keys', () => {
			expect(() => readMpi(Buffer.from([0x08]))).toThrow(RsaKeyError);
			expect(() => readMpi(Buffer.from('0800ffff', 'hex'))).toThrow(RsaKeyError);
			const blob = encodePrivateKey(generated);
			expect(() => decodePrivateKey(blob.subarray(0, blob.length - 1))).toThrow(RsaKeyError);
			expect(() => decodePrivateKey(Buffer.concat([blob, Buffer.alloc(16)]))).toThrow(RsaKeyError);
			expect(() => decodePublicKey(encodeMpi(generated.n))).toThrow(RsaKeyError);
			expect(() => unwrapPrivateKey(randomBytes(16), Buffer.alloc(17))).toThrow(RsaKeyError);
		});

		it('rejects an inconsistent CRT coefficient', () => {
			const bad = Buffer.concat([encodeMpi(generated.p), encodeMpi(generated.q), encodeMpi(generated.d), encodeMpi(generated.u + 1n)]);
			expect(() => decodePrivateKey(bad)).toThrow(/u is not/);
		});

		it('rejects a csid that is not below the modulus', () => {
			expect(() => decryptSessionId(generated, encodeMpi(generated.n + 5n))).toThrow(RsaKeyError);
		});

		it('rejects bad session ids and user handles', () => {
			expect(() => encryptSessionId(publicKeyOf(generated), Buffer.alloc(42, 1))).toThrow(InvalidKeyError);
			expect(() => encryptSessionId(publicKeyOf(generated), Buffer.alloc(43, 0))).toThrow(InvalidKeyError);
			expect(() => createSessionId('short')).toThrow(InvalidKeyError);
			expect(() => createSessionId('qKquyYFlNp!')).toThrow(InvalidKeyError);
			expect(() => sessionIdUserHandle(Buffer.alloc(10))).toThrow(InvalidKeyError);
		});
	});
});
