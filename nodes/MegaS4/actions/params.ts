import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

export function bucketParameter(ctx: IExecuteFunctions, itemIndex: number, name = 'bucket'): string {
	return String(ctx.getNodeParameter(name, itemIndex, '', { extractValue: true }) ?? '').trim();
}

export function stringParameter(ctx: IExecuteFunctions, name: string, itemIndex: number, fallback = ''): string {
	return String(ctx.getNodeParameter(name, itemIndex, fallback) ?? fallback);
}

export function optionsParameter(ctx: IExecuteFunctions, itemIndex: number, name = 'options'): IDataObject {
	return (ctx.getNodeParameter(name, itemIndex, {}) ?? {}) as IDataObject;
}

/** `{ metadataValues: [{ key, value }] }` from a fixedCollection -> a plain record. */
export function metadataFromCollection(collection: unknown): Record<string, string> | undefined {
	const entries = ((collection as { metadataValues?: Array<{ key?: string; value?: string }> } | undefined)?.metadataValues ?? []).filter(
		(e) => e.key && e.key.trim() !== '',
	);
	if (entries.length === 0) return undefined;
	return Object.fromEntries(entries.map((e) => [String(e.key).trim().toLowerCase(), String(e.value ?? '')]));
}

export function cancelSignal(ctx: IExecuteFunctions): AbortSignal | undefined {
	return typeof ctx.getExecutionCancelSignal === 'function' ? ctx.getExecutionCancelSignal() : undefined;
}

/** Limit when Return All is off, undefined when on. */
export function limitParameter(ctx: IExecuteFunctions, itemIndex: number): number | undefined {
	const returnAll = ctx.getNodeParameter('returnAll', itemIndex, false) as boolean;
	return returnAll ? undefined : (ctx.getNodeParameter('limit', itemIndex, 50) as number);
}

export const metadataCollection = {
	displayName: 'Metadata',
	name: 'metadata',
	type: 'fixedCollection' as const,
	typeOptions: { multipleValues: true },
	default: {},
	placeholder: 'Add Metadata',
	description: 'User metadata, stored as x-amz-meta-* headers (names are lowercased)',
	options: [
		{
			displayName: 'Metadata',
			name: 'metadataValues',
			values: [
				{ displayName: 'Name', name: 'key', type: 'string' as const, default: '', placeholder: 'e.g. project' },
				{ displayName: 'Value', name: 'value', type: 'string' as const, default: '' },
			],
		},
	],
};
