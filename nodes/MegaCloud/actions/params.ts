import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { MegaNode } from '../../../core/mega/tree';

export function stringParameter(ctx: IExecuteFunctions, name: string, itemIndex: number, fallback = ''): string {
	const value = ctx.getNodeParameter(name, itemIndex, fallback);
	return value === undefined || value === null ? fallback : String(value);
}

export function optionsParameter(ctx: IExecuteFunctions, itemIndex: number, name = 'options'): IDataObject {
	return (ctx.getNodeParameter(name, itemIndex, {}) ?? {}) as IDataObject;
}

/** The raw resource-locator value (`{ __rl, mode, value }`); nodes/shared resolves it. */
export function locatorParameter(ctx: IExecuteFunctions, name: string, itemIndex: number): unknown {
	return ctx.getNodeParameter(name, itemIndex, { mode: 'list', value: '' });
}

export function cancelSignal(ctx: IExecuteFunctions): AbortSignal | undefined {
	return typeof ctx.getExecutionCancelSignal === 'function' ? ctx.getExecutionCancelSignal() : undefined;
}

/** Limit when Return All is off, undefined when on. */
export function limitParameter(ctx: IExecuteFunctions, itemIndex: number): number | undefined {
	const returnAll = ctx.getNodeParameter('returnAll', itemIndex, false) as boolean;
	return returnAll ? undefined : (ctx.getNodeParameter('limit', itemIndex, 50) as number);
}

/**
 * The one output shape of a MEGA file or folder, for every operation (docs/nodes/mega-cloud.md, "Output fields"):
 * ids and paths that feed straight into the next node. `link` is the item's public link when it is exported, else null.
 */
export function nodeJson(node: MegaNode): IDataObject {
	return {
		handle: node.handle,
		name: node.name,
		path: node.path,
		type: node.type,
		size: node.size,
		parentHandle: node.parentHandle,
		createdAt: node.createdAt.toISOString(),
		modifiedAt: node.modifiedAt.toISOString(),
		link: node.link,
		inRubbishBin: node.inRubbishBin,
		...(node.type === 'file' ? { versionCount: node.versionCount } : {}),
		...(node.restoreHandle ? { restoreHandle: node.restoreHandle } : {}),
	};
}

export function item(json: IDataObject, itemIndex: number): INodeExecutionData {
	return { json, pairedItem: { item: itemIndex } };
}
