/**
 * S4's naming rules (s4.md §1.3, from meganz/s4-specs 2.1.2 and 2.1.4), checked before any request so the user gets
 * a message that names the broken rule instead of S4's bare `InvalidBucketName`/`AccessDenied`.
 */
import { S4NameError } from './errors';

const BUCKET_HINT = 'Bucket names are 3–63 characters of lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit, e.g. "my-reports-2026".';

export function validateBucketName(name: string): string {
	const fail = (rule: string, why: string): never => {
		throw new S4NameError('bucket', name, rule, `Bucket name "${name}" ${why}`, BUCKET_HINT);
	};
	if (typeof name !== 'string' || name.length === 0) fail('bucket-required', 'is empty: a bucket name is required');
	if (name.length < 3 || name.length > 63) fail('bucket-length', `must be 3 to 63 characters long (it has ${name.length})`);
	if (/[A-Z]/.test(name)) fail('bucket-lowercase', 'must not contain uppercase letters');
	if (!/^[a-z0-9.-]+$/.test(name)) fail('bucket-characters', 'may only contain lowercase letters, digits, dots (.) and hyphens (-)');
	if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) fail('bucket-start-end', 'must start and end with a letter or a digit');
	if (name.includes('..')) fail('bucket-adjacent-dots', 'must not contain two adjacent dots (..)');
	if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) fail('bucket-ip-address', 'must not be formatted as an IP address');
	if (name.startsWith('xn--')) fail('bucket-xn-prefix', 'must not start with "xn--"');
	if (name.endsWith('-s3alias')) fail('bucket-s3alias-suffix', 'must not end with "-s3alias"');
	return name;
}

export const MAX_KEY_BYTES = 1024;

export interface KeyCheckOptions {
	/** The size of the body about to be stored under this key (a key ending in "/" must have an empty body). */
	bodySize?: number;
}

export function validateObjectKey(key: string, options: KeyCheckOptions = {}): string {
	const fail = (rule: string, why: string, hint?: string): never => {
		throw new S4NameError('key', key, rule, `Object key "${key.length > 200 ? `${key.slice(0, 200)}…` : key}" ${why}`, hint);
	};
	const pathHint = 'Use keys like "folder/sub-folder/file.txt": no empty segments and no "." or ".." segments.';
	if (typeof key !== 'string' || key.length === 0) fail('key-required', 'is empty: an object key is required');
	const bytes = Buffer.byteLength(key, 'utf8');
	if (bytes > MAX_KEY_BYTES) fail('key-length', `is ${bytes} bytes of UTF-8; S4 allows at most ${MAX_KEY_BYTES}`);
	if (key === '..') fail('key-dot-dot', 'must not be ".."', pathHint);
	if (key.startsWith('../')) fail('key-leading-dot-dot', 'must not start with "../"', pathHint);
	if (key.endsWith('/..')) fail('key-trailing-dot-dot', 'must not end with "/.."', pathHint);
	if (key.includes('/./')) fail('key-dot-segment', 'must not contain "/./"', pathHint);
	if (key.includes('/../')) fail('key-dot-dot-segment', 'must not contain "/../"', pathHint);
	if (key.includes('//')) fail('key-empty-segment', 'must not contain "//"', pathHint);
	if (key.endsWith('/') && options.bodySize !== undefined && options.bodySize > 0) {
		fail('key-folder-marker-body', 'ends with "/", which S4 keeps for empty folder markers: it cannot hold data', 'Add the file name after the folder, e.g. "reports/summary.pdf".');
	}
	return key;
}

/** A folder is a key prefix ending in "/"; "" is the bucket root. Leading slashes are dropped, one trailing slash is added. */
export function normalizeFolderPrefix(folder: string): string {
	const trimmed = folder.trim().replace(/^\/+/, '');
	if (trimmed === '') return '';
	const prefix = trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
	validateObjectKey(prefix);
	return prefix;
}
