import type { CommandHandler } from '../state';
import { requireAccount } from '../state';

/**
 * Sync upload throttling parameters (MEGA's SDK asks at login: `src/commands.cpp` `CommandSetThrottlingParams`):
 * `ur` update rate in seconds, `uc` uploads of one file before it is throttled, `ucr` seconds of inactivity after
 * which the counters reset. The values are the SDK's own defaults (`syncuploadthrottlingmanager.h`).
 */
export const stp: CommandHandler = (_cmd, ctx) => {
	requireAccount(ctx);
	return { ur: 1800, uc: 2, ucr: 86400 };
};
