import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { getMegaClient } from '../../../shared';
import { cancelSignal, item } from '../params';

export const description: INodeProperties[] = [];

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** Bytes in readable binary units, e.g. 1.5 GB (1024-based, as MEGA shows quotas). */
export function readableBytes(bytes: number): string {
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < UNITS.length - 1) {
		value /= 1024;
		unit++;
	}
	return `${unit === 0 ? value : Number(value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2))} ${UNITS[unit]}`;
}

/** Storage and transfer quota: used, total, free, in bytes and readable units. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const client = await getMegaClient(this);
	const quota = await client.quota({ signal: cancelSignal(this) });
	const storageFree = Math.max(0, quota.storageMax - quota.storageUsed);
	// transferMax is null when MEGA states no transfer quota (free accounts): then there is no free figure either.
	const transferFree = quota.transferMax === null ? null : Math.max(0, quota.transferMax - quota.transferUsed);
	return [
		item(
			{
				storageUsed: quota.storageUsed,
				storageTotal: quota.storageMax,
				storageFree,
				storageUsedPercent: quota.storageMax > 0 ? Number(((quota.storageUsed / quota.storageMax) * 100).toFixed(2)) : 0,
				transferUsed: quota.transferUsed,
				transferTotal: quota.transferMax,
				transferFree,
				readable: {
					storageUsed: readableBytes(quota.storageUsed),
					storageTotal: readableBytes(quota.storageMax),
					storageFree: readableBytes(storageFree),
					transferUsed: readableBytes(quota.transferUsed),
					transferTotal: quota.transferMax === null ? null : readableBytes(quota.transferMax),
					transferFree: transferFree === null ? null : readableBytes(transferFree),
				},
				proLevel: quota.proLevel,
			},
			itemIndex,
		),
	];
}
