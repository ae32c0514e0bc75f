import type { CommandHandler } from '../state';

/**
 * Time zones (MEGA's SDK: `src/commands.cpp` `CommandFetchTimeZone`): `choices` maps zone names to UTC offsets in
 * seconds, `default` names the zone to preselect. The sandbox offers UTC and the zone the client named in `utz`.
 */
export const ftz: CommandHandler = (cmd) => {
	const choices: Record<string, number> = { UTC: 0 };
	const offset = Number(cmd.uo);
	if (typeof cmd.utz === 'string' && /^[A-Za-z0-9_+/-]{1,64}$/.test(cmd.utz) && Number.isSafeInteger(offset)) choices[cmd.utz] = offset;
	return { choices, default: typeof cmd.utz === 'string' && cmd.utz in choices ? cmd.utz : 'UTC' };
};
