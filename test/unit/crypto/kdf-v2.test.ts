import { createHash } from 'node:crypto';
import {
	base64urlDecode,
	base64urlEncode,
	createSaltV2,
	deriveKeyV2,
	deriveKeyV2Async,
	hashAuthKeyV2,
	InvalidKeyError,
} from '../../../core/mega/crypto';
import { pbkdf2Reference } from './reference';

// The v2 salt captured from a real `us0` reply (mega-protocol.md §2.1).
const CAPTURED_SALT = base64urlDecode('Dsgwep3iwcV9-Q96qwBCfP8m2NiwArstDyJoQ6Rh_fE');

describe('v2 key derivation (PBKDF2-HMAC-SHA512)', () => {
	it('matches an independent PBKDF2 built from HMAC, with a non-ASCII password', () => {
		const password = 'pässwörd €😀';
		const derived = pbkdf2Reference(Buffer.from(password, 'utf8'), CAPTURED_SALT, 100_000, 32);
		const { passwordKey, userHash } = deriveKeyV2(password, CAPTURED_SALT);
		expect(passwordKey).toEqual(derived.subarray(0, 16));
		expect(userHash).toBe(base64urlEncode(derived.subarray(16, 32)));
		expect(userHash).toHaveLength(22);
	});

	it('async form gives the same result', async () => {
		await expect(deriveKeyV2Async('hunter2', CAPTURED_SALT)).resolves.toEqual(deriveKeyV2('hunter2', CAPTURED_SALT));
	});

	it('depends on the salt', () => {
		expect(deriveKeyV2('hunter2', CAPTURED_SALT).userHash).not.toBe(deriveKeyV2('hunter2', Buffer.alloc(32, 1)).userHash);
	});

	it('makes signup salts like the SDK', () => {
		const random = Buffer.alloc(16, 0xab);
		const label = Buffer.concat([Buffer.from('mega.nz'), Buffer.alloc(193, 'P')]);
		expect(createSaltV2(random)).toEqual(createHash('sha256').update(Buffer.concat([label, random])).digest());
		expect(createSaltV2()).toHaveLength(32);
		expect(createSaltV2()).not.toEqual(createSaltV2());
		expect(() => createSaltV2(Buffer.alloc(8))).toThrow(InvalidKeyError);
	});

	it('hashes the auth key for the server (hak)', () => {
		const { userHash } = deriveKeyV2('hunter2', CAPTURED_SALT);
		const expected = createHash('sha256').update(base64urlDecode(userHash)).digest().subarray(0, 16);
		expect(hashAuthKeyV2(userHash)).toEqual(expected);
		expect(hashAuthKeyV2(base64urlDecode(userHash))).toEqual(expected);
		expect(() => hashAuthKeyV2('AAAA')).toThrow(InvalidKeyError);
	});

	it('rejects an empty salt', async () => {
		expect(() => deriveKeyV2('x', Buffer.alloc(0))).toThrow(TypeError);
		await expect(deriveKeyV2Async('x', Buffer.alloc(0))).rejects.toThrow(TypeError);
	});
});
