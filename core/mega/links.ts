/**
 * MEGA public links: parse every form, format the current form, and open password-protected `#P!` links.
 *
 * Forms: `mega.nz/file/H#K`, `mega.nz/folder/H#K`, `/folder/H#K/file/X` and `/folder/H#K/folder/X`,
 * legacy `#!H!K`, `#F!H!K`, `#F!H!K!X`, on `mega.nz`, `mega.co.nz` or `mega.app`, and `#P!<blob>` password links.
 * Password links (web client's export-password feature): blob = algorithm(1) ‖ type(1: 0 folder, 1 file) ‖ ph(6) ‖
 * salt(32) ‖ key XOR PBKDF2-SHA512(password, salt, 100 000, 64)[0..keyLen] ‖ HMAC-SHA256(derived[32..64], all before).
 */
import { createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

import { MegaLinkError } from './errors';

const pbkdf2Async = promisify(pbkdf2);

export type MegaLinkKind = 'file' | 'folder';

export interface ParsedMegaLink {
	kind: MegaLinkKind;
	/** 8-char public handle. */
	handle: string;
	/** Decrypted key: 32 bytes for a file, 16 for a folder. Missing when the link was shared without its key. */
	key?: Buffer;
	/** A node inside a folder link (`/folder/H#K/file/X`). */
	childHandle?: string;
	childKind?: MegaLinkKind;
}

export interface ParsedPasswordLink {
	kind: 'password';
	linkKind: MegaLinkKind;
	handle: string;
	algorithm: number;
	blob: Buffer;
}

const HOSTS = new Set(['mega.nz', 'www.mega.nz', 'mega.co.nz', 'www.mega.co.nz', 'mega.app', 'www.mega.app']);
const HANDLE = /^[A-Za-z0-9_-]{8}$/;
const B64 = /^[A-Za-z0-9_-]+$/;
const PASSWORD_ITERATIONS: Record<number, number> = { 0: 1000, 1: 100_000, 2: 100_000 };

function decodeKey(text: string | undefined, kind: MegaLinkKind): Buffer | undefined {
	if (text === undefined || text === '') return undefined;
	const clean = text.trim();
	const expected = kind === 'file' ? 32 : 16;
	if (!B64.test(clean)) throw new MegaLinkError(`The ${kind} link key is not valid base64url`, 'ELINKKEY');
	const key = Buffer.from(clean, 'base64url');
	if (key.length !== expected) {
		throw new MegaLinkError(`The ${kind} link key has ${key.length} bytes; a ${kind} key has ${expected}`, 'ELINKKEY', 'Copy the whole link, including the part after #.');
	}
	return key;
}

function checkHandle(handle: string | undefined, what: string): string {
	if (!handle || !HANDLE.test(handle)) {
		throw new MegaLinkError(`The ${what} handle in the MEGA link is malformed`, 'ELINK', 'Copy the whole link from MEGA.');
	}
	return handle;
}

/** Parses any MEGA link form. Password links come back as `kind: 'password'` (see `decryptPasswordLink`). */
export function parseMegaLink(input: string): ParsedMegaLink | ParsedPasswordLink {
	const text = (input ?? '').trim();
	let url: URL;
	try {
		url = new URL(/^[a-z]+:\/\//i.test(text) ? text : `https://${text}`);
	} catch {
		throw new MegaLinkError('This is not a MEGA link', 'ELINK', 'A MEGA link looks like https://mega.nz/file/HANDLE#KEY.');
	}
	if (!HOSTS.has(url.hostname.toLowerCase())) {
		throw new MegaLinkError(`Not a MEGA link (host ${url.hostname})`, 'ELINK', 'A MEGA link looks like https://mega.nz/file/HANDLE#KEY.');
	}
	const fragment = decodeURIComponent(url.hash.replace(/^#/, ''));
	const segments = url.pathname.split('/').filter(Boolean);

	if (segments.length === 0 || segments[0] === '') {
		return parseLegacyFragment(fragment);
	}
	const kind = segments[0];
	if (kind !== 'file' && kind !== 'folder') {
		throw new MegaLinkError(`Unsupported MEGA link type "${kind}"`, 'ELINK', 'Only file and folder links can be opened.');
	}
	const handle = checkHandle(segments[1]?.slice(0, 8), kind);
	// The fragment holds the key, and for folder links optionally /file/X or /folder/X.
	const [keyText, ...rest] = fragment.split('/');
	const parsed: ParsedMegaLink = { kind, handle, key: decodeKey(keyText, kind) };
	if (rest.length > 0) {
		if (kind !== 'folder' || rest.length < 2 || (rest[0] !== 'file' && rest[0] !== 'folder')) {
			throw new MegaLinkError('The part after the link key is malformed', 'ELINK');
		}
		parsed.childKind = rest[0] as MegaLinkKind;
		parsed.childHandle = checkHandle(rest[1].slice(0, 8), 'item');
	}
	return parsed;
}

function parseLegacyFragment(fragment: string): ParsedMegaLink | ParsedPasswordLink {
	if (fragment.startsWith('P!')) {
		const blobText = fragment.slice(2);
		if (!B64.test(blobText)) throw new MegaLinkError('The password-protected link is malformed', 'ELINK');
		const blob = Buffer.from(blobText, 'base64url');
		const algorithm = blob[0];
		const type = blob[1];
		const keyLength = type === 1 ? 32 : 16;
		if (blob.length !== 2 + 6 + 32 + keyLength + 32 || (type !== 0 && type !== 1) || PASSWORD_ITERATIONS[algorithm] === undefined) {
			throw new MegaLinkError('The password-protected link is malformed', 'ELINK');
		}
		return {
			kind: 'password',
			linkKind: type === 1 ? 'file' : 'folder',
			handle: blob.subarray(2, 8).toString('base64url'),
			algorithm,
			blob,
		};
	}
	let kind: MegaLinkKind;
	let parts: string[];
	if (fragment.startsWith('F!')) {
		kind = 'folder';
		parts = fragment.slice(2).split('!');
	} else if (fragment.startsWith('!')) {
		kind = 'file';
		parts = fragment.slice(1).split('!');
	} else {
		throw new MegaLinkError('This MEGA link has no file or folder part', 'ELINK', 'A MEGA link looks like https://mega.nz/file/HANDLE#KEY.');
	}
	const parsed: ParsedMegaLink = { kind, handle: checkHandle(parts[0], kind), key: decodeKey(parts[1], kind) };
	if (kind === 'folder' && parts[2]) {
		parsed.childHandle = checkHandle(parts[2].slice(0, 8), 'item');
		parsed.childKind = 'file';
	}
	return parsed;
}

/** Parses a link that must carry its key (and decrypts `#P!` links when a password is given). */
export async function resolveMegaLink(input: string, password?: string): Promise<ParsedMegaLink & { key: Buffer }> {
	const parsed = parseMegaLink(input);
	const plain = parsed.kind === 'password' ? await openPasswordLink(parsed, password) : parsed;
	if (!plain.key) {
		throw new MegaLinkError('The MEGA link has no decryption key', 'ELINKKEY', 'Use the link with its key (the part after #).');
	}
	return plain as ParsedMegaLink & { key: Buffer };
}

async function deriveLinkKeys(password: string, salt: Buffer, algorithm: number): Promise<Buffer> {
	return pbkdf2Async(Buffer.from(password, 'utf8'), salt, PASSWORD_ITERATIONS[algorithm], 64, 'sha512');
}

function linkMac(algorithm: number, macKey: Buffer, data: Buffer): Buffer {
	// Algorithm 1 had the HMAC parameters swapped (key and message); algorithm 2 is the corrected form.
	return algorithm === 1 ? createHmac('sha256', data).update(macKey).digest() : createHmac('sha256', macKey).update(data).digest();
}

async function openPasswordLink(parsed: ParsedPasswordLink, password: string | undefined): Promise<ParsedMegaLink> {
	if (!password) {
		throw new MegaLinkError('This MEGA link is password-protected', 'ELINKPASSWORD', 'Give the link password.');
	}
	const { blob, algorithm } = parsed;
	const keyLength = parsed.linkKind === 'file' ? 32 : 16;
	const salt = blob.subarray(8, 40);
	const encryptedKey = blob.subarray(40, 40 + keyLength);
	const mac = blob.subarray(40 + keyLength);
	const derived = await deriveLinkKeys(password, salt, algorithm);
	const expected = linkMac(algorithm, derived.subarray(32, 64), blob.subarray(0, 40 + keyLength));
	if (!timingSafeEqual(expected, mac)) {
		throw new MegaLinkError('Wrong password for this MEGA link (or the link was altered)', 'ELINKPASSWORD', 'Check the link password.');
	}
	const key = Buffer.alloc(keyLength);
	for (let i = 0; i < keyLength; i++) key[i] = encryptedKey[i] ^ derived[i];
	return { kind: parsed.linkKind, handle: parsed.handle, key };
}

/** Decrypts a `#P!` link with its password into the plain link it protects. */
export async function decryptPasswordLink(input: string, password: string): Promise<ParsedMegaLink & { key: Buffer }> {
	const parsed = parseMegaLink(input);
	if (parsed.kind !== 'password') throw new MegaLinkError('This is not a password-protected MEGA link', 'ELINK');
	return (await openPasswordLink(parsed, password)) as ParsedMegaLink & { key: Buffer };
}

/** Protects a file or folder link with a password (current algorithm 2). */
export async function encryptPasswordLink(link: { kind: MegaLinkKind; handle: string; key: Buffer }, password: string): Promise<string> {
	const keyLength = link.kind === 'file' ? 32 : 16;
	if (link.key.length !== keyLength) throw new MegaLinkError(`A ${link.kind} key must have ${keyLength} bytes`, 'ELINKKEY');
	if (!password) throw new MegaLinkError('A link password must not be empty', 'ELINKPASSWORD');
	const algorithm = 2;
	const salt = randomBytes(32);
	const derived = await deriveLinkKeys(password, salt, algorithm);
	const encryptedKey = Buffer.alloc(keyLength);
	for (let i = 0; i < keyLength; i++) encryptedKey[i] = link.key[i] ^ derived[i];
	const head = Buffer.concat([Buffer.from([algorithm, link.kind === 'file' ? 1 : 0]), Buffer.from(checkHandle(link.handle, link.kind), 'base64url'), salt, encryptedKey]);
	const mac = linkMac(algorithm, derived.subarray(32, 64), head);
	return `https://mega.nz/#P!${Buffer.concat([head, mac]).toString('base64url')}`;
}

export function formatFileLink(handle: string, key: Buffer): string {
	return `https://mega.nz/file/${handle}#${key.toString('base64url')}`;
}

export function formatFolderLink(handle: string, key: Buffer, child?: { kind: MegaLinkKind; handle: string }): string {
	const base = `https://mega.nz/folder/${handle}#${key.toString('base64url')}`;
	return child ? `${base}/${child.kind}/${child.handle}` : base;
}

export function formatMegaLink(link: ParsedMegaLink & { key: Buffer }): string {
	if (link.kind === 'file') return formatFileLink(link.handle, link.key);
	return formatFolderLink(link.handle, link.key, link.childHandle ? { kind: link.childKind ?? 'file', handle: link.childHandle } : undefined);
}
