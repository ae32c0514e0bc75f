/**
 * Builds a cache folder once, safely when several processes (jest workers, the benchmark) ask at the same time:
 * each builder works in its own scratch folder next to the target and renames it into place when complete. A rename
 * onto an existing folder fails, so the first finished builder wins and the others discard their copy. A target
 * that exists is therefore always complete; a crashed build leaves only a scratch folder, removed on the next call.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const SCRATCH_MARK = '.building-';

/** Returns `target`, after building it with `build(scratchDir)` when it does not exist yet. */
export async function provisionOnce(target: string, build: (scratchDir: string) => Promise<void>): Promise<string> {
	if (existsSync(target)) return target;
	const parent = dirname(target);
	mkdirSync(parent, { recursive: true });
	removeAbandonedScratch(parent, basename(target));
	const scratch = join(parent, `${basename(target)}${SCRATCH_MARK}${process.pid}-${randomBytes(4).toString('hex')}`);
	mkdirSync(scratch);
	try {
		await build(scratch);
		try {
			renameSync(scratch, target);
		} catch (error) {
			// Someone else finished first: theirs is complete, ours is surplus.
			if (!existsSync(target)) throw error;
		}
	} finally {
		rmSync(scratch, { recursive: true, force: true });
	}
	return target;
}

/** Scratch folders of processes that no longer run (a killed test run). */
function removeAbandonedScratch(parent: string, name: string): void {
	for (const entry of readdirSync(parent)) {
		if (!entry.startsWith(`${name}${SCRATCH_MARK}`)) continue;
		const pid = Number(entry.slice(name.length + SCRATCH_MARK.length).split('-')[0]);
		if (Number.isInteger(pid) && !isRunning(pid)) rmSync(join(parent, entry), { recursive: true, force: true });
	}
}

function isRunning(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}
