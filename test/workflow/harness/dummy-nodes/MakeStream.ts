import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

const CHUNK = 64 * 1024;

/**
 * Test-only node: emits one item whose binary `data` is `size` random bytes, written with
 * `prepareBinaryData(stream, …)` as a MEGA download would. The json carries the sha256 the reader must match.
 */
export class MakeStream implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Make Stream',
		name: 'makeStream',
		group: ['input'],
		version: 1,
		description: 'Test-only: writes a random binary stream',
		defaults: { name: 'Make Stream' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{ displayName: 'Size', name: 'size', type: 'number', default: 5 * 1024 * 1024 },
			{ displayName: 'File Name', name: 'fileName', type: 'string', default: 'random.bin' },
			{ displayName: 'MIME Type', name: 'mimeType', type: 'string', default: 'application/octet-stream' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			const size = this.getNodeParameter('size', i) as number;
			const hash = createHash('sha256');
			const stream = Readable.from(randomChunks(size, hash));
			const binary = await this.helpers.prepareBinaryData(
				stream,
				this.getNodeParameter('fileName', i) as string,
				this.getNodeParameter('mimeType', i) as string,
			);
			out.push({ json: { sha256: hash.digest('hex'), size }, binary: { data: binary }, pairedItem: { item: i } });
		}
		return [out];
	}
}

function* randomChunks(size: number, hash: ReturnType<typeof createHash>): Generator<Buffer> {
	for (let sent = 0; sent < size; sent += CHUNK) {
		const chunk = randomBytes(Math.min(CHUNK, size - sent));
		hash.update(chunk);
		yield chunk;
	}
}
