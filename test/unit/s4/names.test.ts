import { S4NameError, normalizeFolderPrefix, validateBucketName, validateObjectKey } from '../../../core/s4';

function ruleOf(fn: () => unknown): string | undefined {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(S4NameError);
		return (error as S4NameError).rule;
	}
	return undefined;
}

describe('bucket names (s4.md §1.3)', () => {
	test.each([
		['ab', 'bucket-length'],
		['a'.repeat(64), 'bucket-length'],
		['', 'bucket-required'],
		['My-Bucket', 'bucket-lowercase'],
		['my_bucket', 'bucket-characters'],
		['my bucket', 'bucket-characters'],
		['-bucket', 'bucket-start-end'],
		['bucket-', 'bucket-start-end'],
		['.bucket', 'bucket-start-end'],
		['my..bucket', 'bucket-adjacent-dots'],
		['192.168.5.4', 'bucket-ip-address'],
		['xn--bucket', 'bucket-xn-prefix'],
		['bucket-s3alias', 'bucket-s3alias-suffix'],
		['a/b', 'bucket-characters'],
	])('%j breaks %s', (name, rule) => {
		expect(ruleOf(() => validateBucketName(name))).toBe(rule);
	});

	test('the message names the bucket and the rule in words', () => {
		expect(() => validateBucketName('My-Bucket')).toThrow('Bucket name "My-Bucket" must not contain uppercase letters');
		expect(() => validateBucketName('my..bucket')).toThrow(/two adjacent dots/);
	});

	test.each(['abc', 'a'.repeat(63), 'my.reports-2026', '0bucket9', '1.2.3.4.5'])('%j is accepted', (name) => {
		expect(validateBucketName(name)).toBe(name);
	});
});

describe('object keys (s4.md §1.3)', () => {
	test.each([
		['', 'key-required'],
		['..', 'key-dot-dot'],
		['../etc/passwd', 'key-leading-dot-dot'],
		['a/..', 'key-trailing-dot-dot'],
		['a/./b', 'key-dot-segment'],
		['a/../b', 'key-dot-dot-segment'],
		['a//b', 'key-empty-segment'],
		['x'.repeat(1025), 'key-length'],
		['é'.repeat(513), 'key-length'],
	])('%j breaks %s', (key, rule) => {
		expect(ruleOf(() => validateObjectKey(key))).toBe(rule);
	});

	test('a key ending in "/" may only be an empty folder marker', () => {
		expect(validateObjectKey('folder/', { bodySize: 0 })).toBe('folder/');
		expect(ruleOf(() => validateObjectKey('folder/', { bodySize: 1 }))).toBe('key-folder-marker-body');
	});

	test.each(['a', 'reports/2026/q1.pdf', 'ünïcode + spaces/ok.txt', 'x'.repeat(1024), '.hidden', 'a/.b', 'a..b'])('%j is accepted', (key) => {
		expect(validateObjectKey(key)).toBe(key);
	});

	test('folder prefixes are normalised to one trailing slash, root is empty', () => {
		expect(normalizeFolderPrefix('reports/2026')).toBe('reports/2026/');
		expect(normalizeFolderPrefix('/reports/')).toBe('reports/');
		expect(normalizeFolderPrefix('  ')).toBe('');
		expect(ruleOf(() => normalizeFolderPrefix('a//b'))).toBe('key-empty-segment');
	});
});
