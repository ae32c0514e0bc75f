import { createHash, timingSafeEqual } from 'node:crypto';
import { createSessionId, decodePublicKey, encryptSessionId } from '../../../core/mega/crypto';
import type { CommandHandler } from '../state';
import { requireAccount } from '../state';
import type { AccountRecord } from '../store';
import { verifyTotp } from '../totp';
import { ApiError, b64, EARGS, EEXPIRED, EFAILED, EMFAREQUIRED, ENOENT, isB64, unb64 } from '../util';

function sameBytes(x: Buffer, y: Buffer): boolean {
	return x.length === y.length && timingSafeEqual(x, y);
}

function checkPassword(account: AccountRecord, uh: unknown): void {
	if (!isB64(uh)) throw new ApiError(ENOENT);
	if (account.version === 1) {
		if (!account.userHashV1 || !sameBytes(Buffer.from(uh), Buffer.from(account.userHashV1))) throw new ApiError(ENOENT);
		return;
	}
	// A v1-style 8-byte hash sent to a v2 account: the client must run us0 and derive with PBKDF2.
	if (uh.length === 11) throw new ApiError(EEXPIRED);
	const authKey = unb64(uh);
	const hak = createHash('sha256').update(authKey).digest().subarray(0, 16);
	if (authKey.length !== 16 || !account.hak || !sameBytes(hak, account.hak)) throw new ApiError(ENOENT);
}

/**
 * Login. Password accounts get `k`, `privk` and `csid` (a fresh 43-byte sid RSA-encrypted to the account's public key:
 * the server never sees a private key). Ephemeral accounts log in by user handle and get a self-verifying `tsid`.
 */
export const us: CommandHandler = (cmd, ctx) => {
	const store = ctx.state.store;
	const user = cmd.user;
	if (user === undefined && ctx.session) {
		// Session check / resume (the SDK's `us` without credentials).
		const account = requireAccount(ctx);
		return { u: account.userHandle, k: account.k, privk: account.privk, ach: 1 };
	}
	if (typeof user !== 'string' || user.length === 0) throw new ApiError(EARGS);
	if (!user.includes('@') && cmd.uh === undefined) {
		const account = store.accounts.get(user);
		if (!account || !account.ephemeral || !account.ts) throw new ApiError(ENOENT);
		const ts = unb64(account.ts);
		const tsid = Buffer.concat([ts.subarray(0, 16), Buffer.from(account.userHandle, 'ascii'), ts.subarray(16, 32)]);
		store.createSession(account.userHandle, tsid);
		return { k: account.k, tsid: b64(tsid), u: account.userHandle };
	}
	const account = store.accountByEmail(user);
	if (!account || account.ephemeral || !account.pubk) throw new ApiError(ENOENT);
	checkPassword(account, cmd.uh);
	// 2FA: no code → -26 (a code is required); a wrong code → -5 (MEGA's web client `checkForCommonErrors`).
	if (account.totpSecret && cmd.mfa === undefined) throw new ApiError(EMFAREQUIRED);
	if (account.totpSecret && !verifyTotp(account.totpSecret, cmd.mfa)) throw new ApiError(EFAILED);
	const sid = createSessionId(account.userHandle);
	store.createSession(account.userHandle, sid);
	const csid = encryptSessionId(decodePublicKey(unb64(account.pubk)), sid);
	return { k: account.k, privk: account.privk, csid: b64(csid), u: account.userHandle, ach: 1 };
};
