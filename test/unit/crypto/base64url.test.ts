import { base64urlDecode, base64urlEncode, InvalidBase64Error, InvalidKeyError, MegaCryptoError } from '../../../core/mega/crypto';

describe('base64url', () => {
	it('encodes without padding using - and _', () => {
		expect(base64urlEncode(Buffer.from([0xfb, 0xff, 0xfe]))).toBe('-__-');
		expect(base64urlEncode(Buffer.from([0xff]))).toBe('_w');
		expect(base64urlEncode(Buffer.alloc(0))).toBe('');
		expect(base64urlEncode(new Uint8Array([1, 2, 3, 4]).subarray(1, 3))).toBe('AgM');
	});

	it('round-trips every length 0..40', () => {
		for (let length = 0; length <= 40; length++) {
			const data = Buffer.from(Array.from({ length }, (_, i) => (i * 37 + length) & 0xff));
			expect(base64urlDecode(base64urlEncode(data))).toEqual(data);
		}
	});

	it('decodes a MEGA key to the expected length', () => {
		expect(base64urlDecode('xMEmMmKm0AbbOf9nGPLgSA', 16)).toHaveLength(16);
	});

	it.each([
		['padding', 'xMEmMmKm0AbbOf9nGPLgSA=='],
		['standard base64 +', 'ab+d'],
		['standard base64 /', 'ab/d'],
		['whitespace', 'ab d'],
		['newline', 'abcd\n'],
		['impossible length', 'abcde'],
		['non-canonical trailing bits', '_x'],
		['non-ASCII', 'abé'],
	])('rejects %s', (_name, text) => {
		expect(() => base64urlDecode(text)).toThrow(InvalidBase64Error);
	});

	it('rejects non-string input with a typed error', () => {
		expect(() => base64urlDecode(42 as unknown as string)).toThrow(InvalidBase64Error);
	});

	it('rejects a wrong decoded length with InvalidKeyError', () => {
		const error = (() => {
			try {
				base64urlDecode('AAAA', 16);
			} catch (caught) {
				return caught;
			}
			return undefined;
		})();
		expect(error).toBeInstanceOf(InvalidKeyError);
		expect(error).toBeInstanceOf(MegaCryptoError);
		expect((error as InvalidKeyError).code).toBe('EKEYLENGTH');
	});
});
