import { decodeBase32, totp } from '../../../core/mega/totp';
import { MegaCredentialError } from '../../../core/mega/errors';

// RFC 6238 Appendix B test vectors (8 digits, 30 s period).
const SHA1_SECRET = Buffer.from('12345678901234567890');
const SHA256_SECRET = Buffer.from('12345678901234567890123456789012');
const SHA512_SECRET = Buffer.from('1234567890123456789012345678901234567890123456789012345678901234');
const VECTORS: Array<[number, string, string, string]> = [
	[59, '94287082', '46119246', '90693936'],
	[1111111109, '07081804', '68084774', '25091201'],
	[1111111111, '14050471', '67062674', '99943326'],
	[1234567890, '89005924', '91819424', '93441116'],
	[2000000000, '69279037', '90698825', '38618901'],
	[20000000000, '65353130', '77737706', '47863826'],
];

describe('totp (RFC 6238)', () => {
	it.each(VECTORS)('at T=%d gives the RFC codes for SHA-1, SHA-256 and SHA-512', (seconds, sha1, sha256, sha512) => {
		expect(totp(SHA1_SECRET, seconds * 1000, { digits: 8 })).toBe(sha1);
		expect(totp(SHA256_SECRET, seconds * 1000, { digits: 8, algorithm: 'sha256' })).toBe(sha256);
		expect(totp(SHA512_SECRET, seconds * 1000, { digits: 8, algorithm: 'sha512' })).toBe(sha512);
	});

	it('accepts a base32 secret as authenticator apps show it and gives 6 digits by default', () => {
		// base32 of "12345678901234567890"
		const base32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
		expect(decodeBase32(base32)).toEqual(SHA1_SECRET);
		expect(decodeBase32('gezd gnbv gy3t qojq gezd gnbv gy3t qojq')).toEqual(SHA1_SECRET);
		expect(totp(base32, 59_000)).toBe('287082');
		expect(totp(base32, 1111111109_000)).toBe('081804');
	});

	it('rejects a secret that is not base32', () => {
		expect(() => totp('not base32 !!', 0)).toThrow(MegaCredentialError);
		expect(() => decodeBase32('')).toThrow(MegaCredentialError);
	});
});
