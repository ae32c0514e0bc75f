import {
	MEGA_ERRORS,
	MegaAmbiguousPathError,
	MegaApiError,
	MegaError,
	errorFromCode,
	errorFromReply,
} from '../../../core/mega/errors';

const CAUSES = new Set(['credential-invalid', 'rate-limited', 'quota-exhausted', 'not-found', 'access-denied', 'conflict', 'temporarily-unavailable', 'bad-request']);

describe('MEGA error taxonomy', () => {
	it('maps every MEGA error number -1 … -26 to a named, typed error with a sentence and a cause', () => {
		for (let errno = -1; errno >= -26; errno--) {
			const error = errorFromCode(errno);
			expect(error).toBeInstanceOf(MegaApiError);
			expect(error).toBeInstanceOf(MegaError);
			expect(error.errno).toBe(errno);
			expect(error.code).toMatch(/^E[A-Z]+$/);
			expect(error.message.length).toBeGreaterThan(15);
			expect(error.message).toContain(String(errno));
			expect(CAUSES.has(error.cause)).toBe(true);
			expect(typeof error.retryable).toBe('boolean');
			expect(error.name).toBe('MegaApiError');
		}
	});

	it('uses the documented names and retry decisions', () => {
		expect(MEGA_ERRORS[-3]).toMatchObject({ name: 'EAGAIN', retryable: true, cause: 'temporarily-unavailable' });
		expect(MEGA_ERRORS[-4]).toMatchObject({ name: 'ERATELIMIT', retryable: true, cause: 'rate-limited' });
		expect(MEGA_ERRORS[-9]).toMatchObject({ name: 'ENOENT', retryable: false, cause: 'not-found' });
		expect(MEGA_ERRORS[-11]).toMatchObject({ name: 'EACCESS', cause: 'access-denied' });
		expect(MEGA_ERRORS[-12]).toMatchObject({ name: 'EEXIST', cause: 'conflict' });
		expect(MEGA_ERRORS[-15]).toMatchObject({ name: 'ESID', cause: 'credential-invalid' });
		expect(MEGA_ERRORS[-17]).toMatchObject({ name: 'EOVERQUOTA', cause: 'quota-exhausted' });
		expect(MEGA_ERRORS[-18]).toMatchObject({ name: 'ETEMPUNAVAIL', retryable: true });
		expect(MEGA_ERRORS[-26]).toMatchObject({ name: 'EMFAREQUIRED', cause: 'credential-invalid' });
		expect(errorFromCode(-17).hint).toMatch(/space|quota/);
	});

	it('still types an unknown number', () => {
		const error = errorFromCode(-99);
		expect(error.code).toBe('E99');
		expect(error.errno).toBe(-99);
	});

	it('recognises error replies and leaves results alone', () => {
		expect(errorFromReply(-3)?.errno).toBe(-3);
		expect(errorFromReply({ err: -16, u: 7, l: 2 })?.details).toEqual({ u: 7, l: 2 });
		expect(errorFromReply(0)).toBeUndefined();
		expect(errorFromReply('PUBHANDL')).toBeUndefined();
		expect(errorFromReply({ f: [] })).toBeUndefined();
		expect(errorFromReply([-3])).toBeUndefined();
		expect(errorFromReply(-3, 'p')?.message).toContain('(p)');
	});

	it('lists the handles of an ambiguous path', () => {
		const error = new MegaAmbiguousPathError('/Docs/a.txt', ['AAAAAAAA', 'BBBBBBBB']);
		expect(error.message).toContain('AAAAAAAA');
		expect(error.message).toContain('BBBBBBBB');
		expect(error.cause).toBe('conflict');
		expect(error.handles).toEqual(['AAAAAAAA', 'BBBBBBBB']);
	});
});
