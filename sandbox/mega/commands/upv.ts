import type { CommandHandler } from '../state';
import { requireAccount } from '../state';
import { ApiError, EARGS, EEXPIRED } from '../util';
import { attributeFields, isAttributeName, isAttributeValue, storeAttributes } from './user-attributes';

/**
 * Put versioned user attributes: `{"a":"upv","<name>":["<b64 value>"(,"<version it replaces>")], …}`, one or more
 * names (MEGA's SDK: `src/commands.cpp` `CommandPutUAVer`, `CommandPutMultipleUAVer`; `*~jscd`, `^!keys`,
 * `*keyring`, `+puEd255`, `+puCu255`, `+sigPubk`, `+sigCu255`, `*~usk` at login).
 *
 * A write must name the version it replaces: when the attribute exists and the version is missing or not the current
 * one (another client wrote first), nothing is stored and the answer is -8 (EEXPIRED), on which the SDK marks its
 * copy expired and fetches the attribute again (`CommandPutUAVer::procresult`). All names of one command are stored
 * or none. Success: `{name: new version}` and one `ua` packet.
 */
export const upv: CommandHandler = (cmd, ctx) => {
	const account = requireAccount(ctx);
	const values: Array<[string, string]> = [];
	for (const [name, raw] of attributeFields(cmd)) {
		if (!isAttributeName(name) || !Array.isArray(raw) || raw.length < 1 || raw.length > 2) throw new ApiError(EARGS);
		const [value, version] = raw as unknown[];
		if (!isAttributeValue(value) || (version !== undefined && typeof version !== 'string')) throw new ApiError(EARGS);
		const current = account.userAttributes?.[name];
		if (current ? version !== current.v : version !== undefined) throw new ApiError(EEXPIRED);
		values.push([name, value]);
	}
	if (values.length === 0) throw new ApiError(EARGS);
	return storeAttributes(ctx, account, cmd, values);
};
