import { createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

import { MegaLinkError } from '../../../core/mega/errors';
import {
	decryptPasswordLink,
	encryptPasswordLink,
	formatFileLink,
	formatFolderLink,
	parseMegaLink,
	resolveMegaLink,
} from '../../../core/mega/links';

const fileKey = Buffer.from(Array.from({ length: 32 }, (_, i) => i + 1));
const folderKey = Buffer.from(Array.from({ length: 16 }, (_, i) => 200 + i));
const fk = fileKey.toString('base64url');
const dk = folderKey.toString('base64url');

function linkError(fn: () => unknown): MegaLinkError {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(MegaLinkError);
		return error as MegaLinkError;
	}
	throw new Error('expected a MegaLinkError');
}

describe('parseMegaLink', () => {
	it.each([
		[`https://mega.nz/file/AbCdEf12#${fk}`, 'file'],
		[`https://mega.co.nz/file/AbCdEf12#${fk}`, 'file'],
		[`mega.nz/file/AbCdEf12#${fk}`, 'file'],
		[`https://mega.nz/#!AbCdEf12!${fk}`, 'file'],
		[`https://mega.co.nz/#!AbCdEf12!${fk}`, 'file'],
		[`https://www.mega.nz/file/AbCdEf12#${fk}`, 'file'],
		[`https://mega.app/file/AbCdEf12#${fk}`, 'file'],
	])('parses the file link %s', (url, kind) => {
		const parsed = parseMegaLink(url);
		expect(parsed).toMatchObject({ kind, handle: 'AbCdEf12' });
		expect((parsed as { key: Buffer }).key).toEqual(fileKey);
	});

	it.each([
		[`https://mega.nz/folder/Fo1der_-#${dk}`, undefined, undefined],
		[`https://mega.nz/#F!Fo1der_-!${dk}`, undefined, undefined],
		[`https://mega.nz/folder/Fo1der_-#${dk}/file/ChildXYZ`, 'ChildXYZ', 'file'],
		[`https://mega.nz/folder/Fo1der_-#${dk}/folder/SubF0ldr`, 'SubF0ldr', 'folder'],
		[`https://mega.co.nz/#F!Fo1der_-!${dk}!ChildXYZ`, 'ChildXYZ', 'file'],
	])('parses the folder link %s', (url, childHandle, childKind) => {
		const parsed = parseMegaLink(url);
		expect(parsed).toMatchObject({ kind: 'folder', handle: 'Fo1der_-' });
		expect((parsed as { childHandle?: string }).childHandle).toBe(childHandle);
		expect((parsed as { childKind?: string }).childKind).toBe(childKind);
		expect((parsed as { key: Buffer }).key).toEqual(folderKey);
	});

	it('accepts a link without key but resolveMegaLink refuses it', async () => {
		expect(parseMegaLink('https://mega.nz/file/AbCdEf12')).toMatchObject({ kind: 'file', key: undefined });
		await expect(resolveMegaLink('https://mega.nz/file/AbCdEf12')).rejects.toMatchObject({ code: 'ELINKKEY' });
	});

	it('rejects malformed links with typed errors', () => {
		expect(linkError(() => parseMegaLink('https://example.com/file/AbCdEf12#x')).code).toBe('ELINK');
		expect(linkError(() => parseMegaLink('not a link at all')).code).toBe('ELINK');
		expect(linkError(() => parseMegaLink('https://mega.nz/file/short#x')).code).toBe('ELINK');
		expect(linkError(() => parseMegaLink('https://mega.nz/chat/AbCdEf12#x')).code).toBe('ELINK');
		expect(linkError(() => parseMegaLink('https://mega.nz/')).code).toBe('ELINK');
		expect(linkError(() => parseMegaLink(`https://mega.nz/file/AbCdEf12#${dk}`)).code).toBe('ELINKKEY');
		expect(linkError(() => parseMegaLink(`https://mega.nz/folder/AbCdEf12#${fk}`)).code).toBe('ELINKKEY');
		expect(linkError(() => parseMegaLink('https://mega.nz/file/AbCdEf12#not+base64')).code).toBe('ELINKKEY');
		expect(linkError(() => parseMegaLink(`https://mega.nz/folder/AbCdEf12#${dk}/what/ever`)).code).toBe('ELINK');
		expect(linkError(() => parseMegaLink('https://mega.nz/#P!AAAA')).code).toBe('ELINK');
	});

	it('never puts the key into an error message', () => {
		const error = linkError(() => parseMegaLink(`https://mega.nz/file/AbCdEf12#${dk}`));
		expect(error.message).not.toContain(dk);
	});

	it('formats current-style links that parse back', () => {
		expect(formatFileLink('AbCdEf12', fileKey)).toBe(`https://mega.nz/file/AbCdEf12#${fk}`);
		expect(formatFolderLink('Fo1der_-', folderKey, { kind: 'file', handle: 'ChildXYZ' })).toBe(`https://mega.nz/folder/Fo1der_-#${dk}/file/ChildXYZ`);
	});
});

describe('password-protected links (#P!)', () => {
	it('round-trips a file and a folder link and rejects a wrong password', async () => {
		const fileUrl = await encryptPasswordLink({ kind: 'file', handle: 'AbCdEf12', key: fileKey }, 'correct horse');
		expect(fileUrl).toMatch(/^https:\/\/mega\.nz\/#P!/);
		expect(parseMegaLink(fileUrl)).toMatchObject({ kind: 'password', linkKind: 'file', handle: 'AbCdEf12', algorithm: 2 });
		const opened = await decryptPasswordLink(fileUrl, 'correct horse');
		expect(opened).toMatchObject({ kind: 'file', handle: 'AbCdEf12' });
		expect(opened.key).toEqual(fileKey);
		await expect(decryptPasswordLink(fileUrl, 'wrong')).rejects.toMatchObject({ code: 'ELINKPASSWORD', cause: 'credential-invalid' });
		await expect(resolveMegaLink(fileUrl)).rejects.toMatchObject({ code: 'ELINKPASSWORD' });

		const folderUrl = await encryptPasswordLink({ kind: 'folder', handle: 'Fo1der_-', key: folderKey }, 'pw');
		const folder = await resolveMegaLink(folderUrl, 'pw');
		expect(folder).toMatchObject({ kind: 'folder', handle: 'Fo1der_-' });
		expect(folder.key).toEqual(folderKey);
	});

	it('opens a link built independently from the published layout (algorithm 2)', async () => {
		const salt = randomBytes(32);
		const derived = pbkdf2Sync('s3cret', salt, 100_000, 64, 'sha512');
		const encrypted = Buffer.from(fileKey.map((b, i) => b ^ derived[i]));
		const head = Buffer.concat([Buffer.from([2, 1]), Buffer.from('AbCdEf12', 'base64url'), salt, encrypted]);
		const mac = createHmac('sha256', derived.subarray(32)).update(head).digest();
		const url = `https://mega.nz/#P!${Buffer.concat([head, mac]).toString('base64url')}`;
		const opened = await decryptPasswordLink(url, 's3cret');
		expect(opened.key).toEqual(fileKey);
	});

	it('detects a tampered link', async () => {
		const url = await encryptPasswordLink({ kind: 'folder', handle: 'Fo1der_-', key: folderKey }, 'pw');
		const blob = Buffer.from(url.split('#P!')[1], 'base64url');
		blob[45] ^= 1;
		await expect(decryptPasswordLink(`https://mega.nz/#P!${blob.toString('base64url')}`, 'pw')).rejects.toMatchObject({ code: 'ELINKPASSWORD' });
	});
});
