/**
 * The MEGA Trigger against the MEGA sandbox through n8n's real PollContext (harness `createPoller`): accounts,
 * the `megaApi` credential, and a poller per trigger configuration. Changes come from a second client (the sandbox's
 * "another client" or megajs), never from the trigger's own session unless a test says so.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import { MegaApi } from '../../../credentials/MegaApi.credentials';
import { forgetLiveTrees } from '../../../core/mega/client';
import { clearSessionCache } from '../../../core/mega/session';
import { MegaTrigger } from '../../../nodes/MegaTrigger/MegaTrigger.node';
import type { MegaSandbox, SandboxAccount } from '../../../sandbox/mega';
import { createPoller, type PollResult } from '../harness';

let accounts = 0;

export interface TriggerAccount {
	account: SandboxAccount;
	email: string;
	credential: ICredentialDataDecryptedObject;
}

export async function newAccount(sandbox: MegaSandbox, prefix = 'trigger'): Promise<TriggerAccount> {
	accounts += 1;
	const email = `${prefix}${accounts}-${process.pid}@trigger.test`;
	const password = `pw-${accounts}-trigger`;
	const account = await sandbox.createAccount({ email, password, version: 2 });
	return { account, email, credential: { mode: 'account', email, password, gateway: sandbox.gateway } };
}

/** A folder locator value as the editor stores it. */
export const byId = (handle: string) => ({ __rl: true, mode: 'id', value: handle });
export const byPath = (path: string) => ({ __rl: true, mode: 'path', value: path });

export function triggerPoller(who: TriggerAccount, parameters: INodeParameters, staticData?: IDataObject) {
	return createPoller({
		node: { name: 'MEGA Trigger', parameters },
		nodeType: new MegaTrigger(),
		credentials: { megaApi: who.credential },
		credentialTypes: [new MegaApi()],
		staticData,
	});
}

/** What a restarted n8n process has: no session, no live tree (the trigger's cursor lives on in static data). */
export function simulateRestart(): void {
	forgetLiveTrees();
	clearSessionCache();
}

export const summary = (result: PollResult) => result.items.map((item) => `${String(item.json.event)}:${String(item.json.name)}`);
