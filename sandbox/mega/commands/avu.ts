import { createSaltV2 } from '../../../core/mega/crypto';
import type { CommandHandler } from '../state';
import { requireAccount } from '../state';
import { ApiError, EACCESS, EARGS, b64, isB64, unb64 } from '../util';

/**
 * Account version upgrade, v1 → v2 (MEGA's SDK sends it after a v1 login: `src/megaclient.cpp`
 * `MegaClient::fillCypheredAccountDataV2`, `src/commands.cpp` `CommandAccountVersionUpgrade`):
 * `{"a":"avu","emk":<master key under the new password key>,"hak":<SHA-256(auth key)[0..16]>,"crv":<16 random bytes>}`.
 * The server keeps `emk` as the new `k`, `hak` to check v2 logins, and the salt the client derived too:
 * SHA-256("mega.nz" padded with 'P' to 200 bytes ‖ crv). Nothing secret reaches it. 0, or -11 for a v2 account.
 */
export const avu: CommandHandler = (cmd, ctx) => {
	const account = requireAccount(ctx);
	if (account.ephemeral || account.version !== 1) throw new ApiError(EACCESS);
	if (!isB64(cmd.emk, 22) || !isB64(cmd.hak, 22) || !isB64(cmd.crv, 22)) throw new ApiError(EARGS);
	const salt = createSaltV2(unb64(cmd.crv));
	account.version = 2;
	account.k = cmd.emk;
	account.hak = unb64(cmd.hak);
	account.saltV2 = b64(salt);
	delete account.userHashV1;
	return 0;
};
