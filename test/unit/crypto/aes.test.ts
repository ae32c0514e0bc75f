import { createCipheriv } from 'node:crypto';
import {
	aesCbcDecryptZeroIv,
	aesCbcEncryptZeroIv,
	aesEcbDecrypt,
	aesEcbEncrypt,
	AesEcb,
	decryptKey,
	encryptKey,
	InvalidKeyError,
} from '../../../core/mega/crypto';

// FIPS-197 Appendix C.1 (AES-128) known-answer vector.
const FIPS_KEY = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
const FIPS_PLAIN = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
const FIPS_CIPHER = Buffer.from('69c4e0d86a7b0430d8cdb78070b4c55a', 'hex');

describe('AES helpers', () => {
	it('ECB matches the FIPS-197 vector block by block', () => {
		expect(aesEcbEncrypt(FIPS_KEY, FIPS_PLAIN)).toEqual(FIPS_CIPHER);
		expect(aesEcbDecrypt(FIPS_KEY, FIPS_CIPHER)).toEqual(FIPS_PLAIN);
		// ECB: each block on its own, no chaining.
		expect(encryptKey(FIPS_KEY, Buffer.concat([FIPS_PLAIN, FIPS_PLAIN]))).toEqual(Buffer.concat([FIPS_CIPHER, FIPS_CIPHER]));
		expect(decryptKey(FIPS_KEY, Buffer.concat([FIPS_CIPHER, FIPS_CIPHER]))).toEqual(Buffer.concat([FIPS_PLAIN, FIPS_PLAIN]));
	});

	it('AesEcb reuses its context and stays correct across many calls', () => {
		const ecb = new AesEcb(FIPS_KEY);
		for (let i = 0; i < 3; i++) {
			expect(ecb.encrypt(FIPS_PLAIN)).toEqual(FIPS_CIPHER);
			expect(ecb.decrypt(FIPS_CIPHER)).toEqual(FIPS_PLAIN);
		}
		expect(ecb.decrypt(ecb.encrypt(Buffer.alloc(48, 9)))).toEqual(Buffer.alloc(48, 9));
	});

	it('CBC with zero IV zero-pads and matches a plain CBC cipher', () => {
		const data = Buffer.from('thumbnail bytes that are not a block multiple');
		const encrypted = aesCbcEncryptZeroIv(FIPS_KEY, data);
		expect(encrypted.length).toBe(48);
		const padded = Buffer.concat([data, Buffer.alloc(48 - data.length)]);
		const expected = createCipheriv('aes-128-cbc', FIPS_KEY, Buffer.alloc(16)).setAutoPadding(false).update(padded);
		expect(encrypted).toEqual(expected);
		expect(aesCbcDecryptZeroIv(FIPS_KEY, encrypted)).toEqual(padded);
		expect(aesCbcEncryptZeroIv(FIPS_KEY, Buffer.alloc(0))).toHaveLength(0);
	});

	it.each([
		['short key', () => aesEcbEncrypt(Buffer.alloc(15), FIPS_PLAIN)],
		['long key', () => encryptKey(Buffer.alloc(32), FIPS_PLAIN)],
		['partial block', () => decryptKey(FIPS_KEY, Buffer.alloc(17))],
		['AesEcb short key', () => new AesEcb(Buffer.alloc(8))],
		['AesEcb partial block', () => new AesEcb(FIPS_KEY).encrypt(Buffer.alloc(5))],
		['CBC partial block', () => aesCbcDecryptZeroIv(FIPS_KEY, Buffer.alloc(20))],
		['CBC short key', () => aesCbcEncryptZeroIv(Buffer.alloc(4), Buffer.alloc(16))],
		['non-buffer key', () => aesEcbDecrypt('0123456789abcdef' as unknown as Buffer, FIPS_CIPHER)],
	])('rejects %s with InvalidKeyError', (_name, run) => {
		expect(run).toThrow(InvalidKeyError);
	});
});
