import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Container } from '@n8n/di';
import { BinaryDataService } from 'n8n-core';

/** How the engine keeps binaries: on disk (`filesystem-v2:` ids, streamed) or base64 inside the item (n8n 1.x default). */
export type BinaryMode = 'filesystem' | 'memory';

/** The service's internal mode names: `default` has no manager, so `store()` buffers and base64-encodes. */
const SERVICE_MODE: Record<BinaryMode, string> = { filesystem: 'filesystem-v2', memory: 'default' };

let userFolder: string | undefined;
let initialised: Promise<BinaryDataService> | undefined;
let currentMode: BinaryMode | undefined;
let activeRuns = 0;
const waiting: Array<() => void> = [];

/**
 * n8n reads N8N_USER_FOLDER when InstanceSettings is first built (it writes a config file there and keeps
 * binaries under `.n8n/storage`), so the folder is set before anything asks the container for a service.
 * Every process (every jest test file's module registry) gets its own throwaway folder.
 */
export function harnessUserFolder(): string {
	if (!userFolder) {
		userFolder = mkdtempSync(join(tmpdir(), 'n8n-mega-harness-'));
		process.env.N8N_USER_FOLDER = userFolder;
		// The workflow engine must not phone home or look for task runners in tests.
		process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
		process.env.N8N_RUNNERS_ENABLED = 'false';
		// n8n's logger writes node errors straight to stdout; the run result carries them. N8N_LOG_LEVEL=debug to see them.
		process.env.N8N_LOG_LEVEL ??= 'silent';
	}
	return userFolder;
}

/** Initialises n8n's BinaryDataService once per process, in filesystem mode under the harness user folder. */
export async function binaryDataService(): Promise<BinaryDataService> {
	if (!initialised) {
		harnessUserFolder();
		initialised = (async () => {
			const service = Container.get(BinaryDataService);
			await service.init();
			return service;
		})();
	}
	return await initialised;
}

/**
 * Runs `work` with the engine in `mode`. The mode is one field of a process-wide singleton, so runs that
 * share a mode may overlap, and a run in the other mode waits until they have finished.
 * Switching flips the service's private `mode` (what `N8N_DEFAULT_BINARY_DATA_MODE` sets at start-up);
 * binaries stored earlier stay readable, because reads dispatch on the id's prefix, not on the mode.
 */
export async function withBinaryMode<T>(mode: BinaryMode, work: () => Promise<T>): Promise<T> {
	const service = await binaryDataService();
	while (activeRuns > 0 && currentMode !== mode) {
		await new Promise<void>((resolve) => waiting.push(resolve));
	}
	currentMode = mode;
	(service as unknown as { mode: string }).mode = SERVICE_MODE[mode];
	activeRuns++;
	try {
		return await work();
	} finally {
		activeRuns--;
		if (activeRuns === 0) waiting.splice(0).forEach((wake) => wake());
	}
}

/** Deletes the harness user folder (stored binaries included). Call from `afterAll`; later runs re-create nothing. */
export function removeHarnessUserFolder(): void {
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
}
