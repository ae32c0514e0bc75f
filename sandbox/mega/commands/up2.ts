import type { CommandHandler } from '../state';
import { requireAccount } from '../state';
import { ApiError, EARGS } from '../util';
import { attributeFields, isAttributeName, isAttributeValue, storeAttributes } from './user-attributes';

/**
 * Put unversioned user attributes: `{"a":"up2","<name>":"<b64 value>"(,"aff":{…})}` (MEGA's SDK: `src/commands.cpp`
 * `CommandPutUA`). The value replaces whatever is stored and gets a new version; the answer is `{name: version}`
 * with one `ua` packet, as for `upv`. `aff` (an affiliate marker) is accepted and ignored.
 */
export const up2: CommandHandler = (cmd, ctx) => {
	const account = requireAccount(ctx);
	const values: Array<[string, string]> = [];
	for (const [name, value] of attributeFields(cmd)) {
		if (!isAttributeName(name) || !isAttributeValue(value)) throw new ApiError(EARGS);
		values.push([name, value]);
	}
	if (values.length === 0) throw new ApiError(EARGS);
	return storeAttributes(ctx, account, cmd, values);
};
