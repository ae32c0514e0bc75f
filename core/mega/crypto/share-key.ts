/**
 * The owner's own copy of a share key (`ok`) and its handle authentication (`ha`), as sent in `s2` and returned in
 * `f`/`s2` replies and `s` packets. `ha` = AES-ECB(master key, the 8-character handle written twice as ASCII): it
 * proves the `ok` entry was written by a client holding the master key. MEGA's SDK and web client (since the
 * `^!keys` key manager) write an all-zero dummy `ok`/`ha` and keep the real key elsewhere, so an entry whose `ha`
 * does not verify carries no usable key (megajs and megatools skip such entries too).
 */
import { timingSafeEqual } from 'node:crypto';

import { AesEcb } from './aes';
import { base64urlDecode, base64urlEncode } from './base64url';

export function handleAuth(master: AesEcb, handle: string): Buffer {
	return master.encrypt(Buffer.from(handle + handle, 'ascii'));
}

export function handleAuthText(masterKey: Buffer, handle: string): string {
	return base64urlEncode(handleAuth(new AesEcb(masterKey), handle));
}

function decode(text: unknown): Buffer | undefined {
	if (typeof text !== 'string' || text === '') return undefined;
	try {
		return base64urlDecode(text);
	} catch {
		return undefined;
	}
}

/**
 * The share key of an `ok`/`ha` pair, or undefined when it cannot be trusted: `ha` missing or not matching
 * (a dummy zero pair included), or `ok` not one AES block.
 */
export function unwrapOwnerShareKey(master: AesEcb, handle: string, ok: unknown, ha: unknown): Buffer | undefined {
	const wrapped = decode(ok);
	const auth = decode(ha);
	if (!wrapped || wrapped.length !== 16 || !auth || auth.length !== 16 || !/^[A-Za-z0-9_-]{8}$/.test(handle)) return undefined;
	if (!timingSafeEqual(auth, handleAuth(master, handle))) return undefined;
	return master.decrypt(wrapped);
}
