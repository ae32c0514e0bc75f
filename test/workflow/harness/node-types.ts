import type { INodeType, INodeTypes, IVersionedNodeType } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

/** The package name n8n puts in front of a community node's `description.name` (production type string). */
export const PACKAGE_TYPE_PREFIX = 'n8n-nodes-mega';

export type NodeTypeMap = Record<string, INodeType | IVersionedNodeType>;

/** `{ 'n8n-nodes-mega.<description.name>': node }` for each node, the type string a real n8n install uses. */
export function megaNodeTypes(...nodes: Array<INodeType | IVersionedNodeType>): NodeTypeMap {
	const map: NodeTypeMap = {};
	for (const node of nodes) map[`${PACKAGE_TYPE_PREFIX}.${node.description.name}`] = node;
	return map;
}

/** The engine's node registry, answered from a plain map instead of n8n's loaders. */
export class TestNodeTypes implements INodeTypes {
	constructor(private readonly types: NodeTypeMap) {}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		return this.lookUp(nodeType);
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.lookUp(nodeType), version);
	}

	getKnownTypes(): Record<string, never> {
		return {};
	}

	private lookUp(nodeType: string): INodeType | IVersionedNodeType {
		const type = this.types[nodeType];
		if (!type) {
			throw new Error(`Node type "${nodeType}" is not registered in the harness; known: ${Object.keys(this.types).join(', ')}`);
		}
		return type;
	}
}
