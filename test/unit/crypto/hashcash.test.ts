import { createHash } from 'node:crypto';
import {
	base64urlDecode,
	createHashcashChallenge,
	HashcashAbortedError,
	HashcashHeaderError,
	hashcashThreshold,
	parseHashcashChallenge,
	solveHashcash,
	verifyHashcash,
} from '../../../core/mega/crypto';

const TOKEN = Buffer.from(Array.from({ length: 48 }, (_, i) => i));
const TOKEN_TEXT = TOKEN.toString('base64url');

/** Independent check of an answer: SHA-256(prefix ‖ token × 262144), first word big-endian. */
function firstWord(prefix: Buffer, token: Buffer): number {
	const hash = createHash('sha256').update(prefix);
	for (let i = 0; i < 262_144; i += 1024) hash.update(Buffer.concat(Array(1024).fill(token)));
	return hash.digest().readUInt32BE(0);
}

describe('hashcash', () => {
	it('computes the thresholds listed in the protocol notes', () => {
		expect(hashcashThreshold(100)).toBe(74_752);
		expect(hashcashThreshold(180)).toBe(13_762_560);
		expect(hashcashThreshold(192)).toBe(2 ** 24);
		expect(hashcashThreshold(255)).toBe(2_130_706_432);
		expect(hashcashThreshold(0)).toBe(8);
		expect(() => hashcashThreshold(256)).toThrow(RangeError);
	});

	it('parses a challenge header', () => {
		expect(parseHashcashChallenge(` 1:192:1731410499:${TOKEN_TEXT} `)).toEqual({
			easiness: 192,
			timestamp: 1731410499,
			token: TOKEN,
			tokenText: TOKEN_TEXT,
		});
		const { header, challenge } = createHashcashChallenge(180, { timestamp: 5, token: TOKEN });
		expect(header).toBe(`1:180:5:${TOKEN_TEXT}`);
		expect(parseHashcashChallenge(header)).toEqual(challenge);
	});

	it.each([
		['empty', ''],
		['missing field', `1:192:${TOKEN_TEXT}`],
		['extra field', `1:192:1731410499:${TOKEN_TEXT}:x`],
		['version 2', `2:192:1731410499:${TOKEN_TEXT}`],
		['easiness 256', `1:256:1731410499:${TOKEN_TEXT}`],
		['easiness not a number', `1:abc:1731410499:${TOKEN_TEXT}`],
		['negative timestamp', `1:192:-5:${TOKEN_TEXT}`],
		['short token', `1:192:1731410499:${TOKEN_TEXT.slice(1)}`],
		['token with bad characters', `1:192:1731410499:${TOKEN_TEXT.slice(1)}+`],
		['not a string', undefined],
	])('rejects a malformed challenge header: %s', async (_name, header) => {
		expect(() => parseHashcashChallenge(header as string)).toThrow(HashcashHeaderError);
		await expect(solveHashcash(header as string)).rejects.toThrow(HashcashHeaderError);
	});

	it('solves on worker threads and the answer verifies, also independently', async () => {
		const { header, challenge } = createHashcashChallenge(255);
		const answer = await solveHashcash(header, { workers: 2 });
		const [version, token, prefixText] = answer.split(':');
		expect(version).toBe('1');
		expect(token).toBe(challenge.tokenText);
		const prefix = base64urlDecode(prefixText, 4);
		expect(firstWord(prefix, challenge.token)).toBeLessThanOrEqual(hashcashThreshold(255));
		expect(verifyHashcash(challenge, answer)).toBe(true);
		expect(verifyHashcash(header, answer)).toBe(true);
	});

	it('keeps the event loop running while it works', async () => {
		let ticks = 0;
		const timer = setInterval(() => ticks++, 1);
		try {
			// easiness 200: p = 17/256 per attempt, so a few dozen 12-MiB hashes on the workers
			await solveHashcash(createHashcashChallenge(200).header, { workers: 1 });
		} finally {
			clearInterval(timer);
		}
		expect(ticks).toBeGreaterThan(0);
	});

	it('verification refuses a wrong token or an insufficient prefix', async () => {
		const { challenge } = createHashcashChallenge(0, { token: TOKEN });
		// threshold 8: a fixed prefix passes with probability 2^-29; check it independently first
		expect(firstWord(Buffer.from('AAAAAA', 'base64url'), TOKEN)).toBeGreaterThan(8);
		expect(verifyHashcash(challenge, `1:${TOKEN_TEXT}:AAAAAA`)).toBe(false);
		const other = createHashcashChallenge(255);
		const answer = await solveHashcash(other.challenge, { workers: 1 });
		expect(verifyHashcash(challenge, answer)).toBe(false);
	});

	it.each([
		['two fields', `1:${TOKEN_TEXT}`],
		['version 0', `0:${TOKEN_TEXT}:AAAAAA`],
		['prefix of 3 bytes', `1:${TOKEN_TEXT}:AAAA`],
		['prefix not base64url', `1:${TOKEN_TEXT}:AA/AAA`],
		['short token', `1:${TOKEN_TEXT.slice(4)}:AAAAAA`],
	])('rejects a malformed answer: %s', (_name, answer) => {
		expect(() => verifyHashcash(createHashcashChallenge(255, { token: TOKEN }).challenge, answer)).toThrow(HashcashHeaderError);
	});

	it('stops on abort and on timeout with a typed error', async () => {
		// easiness 0 needs ~2^29 attempts: it never finishes within the test.
		const hard = createHashcashChallenge(0).header;
		await expect(solveHashcash(hard, { signal: AbortSignal.abort() })).rejects.toThrow(HashcashAbortedError);
		const controller = new AbortController();
		const pending = solveHashcash(hard, { signal: controller.signal, workers: 1 });
		setTimeout(() => controller.abort(), 50);
		await expect(pending).rejects.toThrow(HashcashAbortedError);
		await expect(solveHashcash(hard, { timeoutMs: 100, workers: 1 })).rejects.toThrow(/not solved within 100 ms/);
	});
});
