import type { Command, CommandContext } from '../state';
import { emit, packet } from '../state';
import type { AccountRecord, UserAttributeRecord } from '../store';
import { ApiError, EARGS, b64 } from '../util';
import { randomBytes } from 'node:crypto';

/**
 * Names of user attributes as MEGA spells them: an optional scope prefix (`*` private, `+` public, `#` protected,
 * `^` private unencrypted, `%` business, with `!`/`~`/`>` qualifiers after it), then letters and digits.
 */
const ATTRIBUTE_NAME = /^[*+#^%]?[!~>]*[A-Za-z][A-Za-z0-9_]*$/;

/** Fields of a `upv`/`up2` command that are not attributes. */
const NOT_ATTRIBUTES = new Set(['a', 'i', 'aff', 'v']);

export function isAttributeName(name: string): boolean {
	return ATTRIBUTE_NAME.test(name) && !NOT_ATTRIBUTES.has(name);
}

/** An attribute value as the SDK sends it: base64url, or `none` (removing the avatar). */
export function isAttributeValue(value: unknown): value is string {
	return typeof value === 'string' && (value === 'none' || /^[A-Za-z0-9_-]*$/.test(value));
}

/** The attribute-bearing fields of a command (everything but `a`, `i`, `aff`, `v`). */
export function attributeFields(cmd: Command): Array<[string, unknown]> {
	return Object.entries(cmd).filter(([name]) => !NOT_ATTRIBUTES.has(name));
}

/** A fresh attribute version: 8 random bytes in base64url (11 characters), the shape MEGA's versions have. */
export function newAttributeVersion(): string {
	return b64(randomBytes(8));
}

/**
 * Stores new values (each with a new version), announces them with one `ua` packet (`u`, `ua` = names, `v` = versions,
 * as `MegaClient::sc_userattr` reads it) and returns `{name: version}`, the shape both `CommandPutUAVer::procresult`
 * and `CommandPutMultipleUAVer::procresult` accept.
 */
export function storeAttributes(ctx: CommandContext, account: AccountRecord, cmd: Command, values: Array<[string, string]>): Record<string, string> {
	const attributes = (account.userAttributes ??= {});
	const versions: Record<string, string> = {};
	for (const [name, av] of values) {
		const record: UserAttributeRecord = { av, v: newAttributeVersion() };
		attributes[name] = record;
		versions[name] = record.v;
	}
	emit(ctx, account.userHandle, [packet('ua', cmd, { u: account.userHandle, ua: Object.keys(versions), v: Object.values(versions) })]);
	return versions;
}

export function requireAttributeName(name: unknown): string {
	if (typeof name !== 'string' || !isAttributeName(name)) throw new ApiError(EARGS);
	return name;
}
