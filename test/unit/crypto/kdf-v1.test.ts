import {
	base64urlDecode,
	decryptKey,
	deriveKeyV1,
	deriveKeyV1Async,
	InvalidKeyError,
	passwordBytesV1,
	userHashV1,
} from '../../../core/mega/crypto';
import { prepareKeyReference } from './reference';

describe('v1 key derivation (prepare_key)', () => {
	it('reproduces the mega-mock fixture: mock@test / mock', () => {
		// mega-protocol.md §2.2: uh = jCf2Pc0pLCU, k decrypts to the words "m","o","c","k".
		const passwordKey = deriveKeyV1('mock');
		expect(userHashV1('mock@test', passwordKey)).toBe('jCf2Pc0pLCU');
		expect(decryptKey(passwordKey, base64urlDecode('xMEmMmKm0AbbOf9nGPLgSA')).toString('hex')).toBe('0000006d0000006f000000630000006b');
	});

	it('lower-cases the e-mail for the user hash', () => {
		const passwordKey = deriveKeyV1('mock');
		expect(userHashV1('MOCK@Test', passwordKey)).toBe('jCf2Pc0pLCU');
		expect(userHashV1('mock@test2', passwordKey)).not.toBe('jCf2Pc0pLCU');
	});

	it('lays out password bytes with JavaScript string semantics (hand-derived)', () => {
		// 'é' is one UTF-16 unit 0x00E9 -> one byte E9 (UTF-8 would give C3 A9, as megajs does).
		expect(passwordBytesV1('é').toString('hex')).toBe('e9000000');
		// A surrogate pair D83D DE00: slot 0 keeps only 0x3D of D83D (<<24 wraps), slot 1's DE00<<16 spills DE into byte 0.
		expect(passwordBytesV1('😀').toString('hex')).toBe('ff000000');
		// 'A€😀ab': word 0 = 41 | (20AC<<16) | (D83D<<8) | DE00 = 61 FC FF 00; word 1 = 'a' 'b' 00 00.
		expect(passwordBytesV1('A€😀ab').toString('hex')).toBe('61fcff0061620000');
		expect(passwordBytesV1('')).toHaveLength(0);
	});

	it('derives a non-ASCII password key from the hand-derived bytes', () => {
		const expected = prepareKeyReference(Buffer.from('61fcff0061620000', 'hex'));
		expect(deriveKeyV1('A€😀ab')).toEqual(expected);
		// megajs's UTF-8 interpretation gives a different key: the two must not be confused.
		expect(prepareKeyReference(Buffer.from('A€😀ab', 'utf8'))).not.toEqual(expected);
	});

	it('derives multi-block passwords like the naive reference, sync and async', async () => {
		const password = 'correct horse battery staple 0123456789';
		const expected = prepareKeyReference(Buffer.from(password, 'latin1'));
		expect(deriveKeyV1(password)).toEqual(expected);
		await expect(deriveKeyV1Async(password)).resolves.toEqual(expected);
		await expect(deriveKeyV1Async('mock')).resolves.toEqual(deriveKeyV1('mock'));
	});

	it('keeps the seed for an empty password (no blocks, as the web client)', () => {
		expect(deriveKeyV1('').toString('hex')).toBe('93c467e37db0c7a4d1be3f810152cb56');
	});

	it('async form yields to the event loop while it works', async () => {
		let ticks = 0;
		const timer = setInterval(() => ticks++, 0);
		try {
			await deriveKeyV1Async('x'.repeat(64));
		} finally {
			clearInterval(timer);
		}
		expect(ticks).toBeGreaterThan(0);
	});

	it('async form honours an abort signal', async () => {
		await expect(deriveKeyV1Async('y'.repeat(64), { signal: AbortSignal.abort() })).rejects.toThrow();
		const controller = new AbortController();
		const pending = deriveKeyV1Async('z'.repeat(64), { signal: controller.signal });
		setImmediate(() => controller.abort());
		await expect(pending).rejects.toThrow();
	});

	it('rejects a short password key for the user hash', () => {
		expect(() => userHashV1('mock@test', Buffer.alloc(8))).toThrow(InvalidKeyError);
	});
});
