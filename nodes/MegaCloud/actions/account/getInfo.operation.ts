import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { getMegaClient } from '../../../shared';
import { cancelSignal, item } from '../params';

export const description: INodeProperties[] = [];

/** Who the credential is logged in as: user handle, email, name, and whether it is an anonymous account. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const client = await getMegaClient(this);
	const info = await client.account({ signal: cancelSignal(this) });
	return [
		item(
			{
				userHandle: info.userHandle,
				email: info.email ?? null,
				name: info.name ?? null,
				anonymous: info.ephemeral,
			},
			itemIndex,
		),
	];
}
