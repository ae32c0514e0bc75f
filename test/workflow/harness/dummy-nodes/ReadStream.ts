import { createHash } from 'node:crypto';

import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { BINARY_ENCODING, NodeConnectionTypes } from 'n8n-workflow';

/**
 * Test-only node: reads a binary property back the way the MEGA nodes must (nodes/shared reads binaries this way):
 * a stream when the binary has an id, the base64 buffer otherwise. Reports what it saw.
 */
export class ReadStream implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Read Stream',
		name: 'readStream',
		group: ['output'],
		version: 1,
		description: 'Test-only: reads a binary property and reports its sha256',
		defaults: { name: 'Read Stream' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Binary Property', name: 'binaryPropertyName', type: 'string', default: 'data' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			const binary = this.helpers.assertBinaryData(i, this.getNodeParameter('binaryPropertyName', i) as string);
			const hash = createHash('sha256');
			let size = 0;
			let chunks = 0;
			let metadataSize: number | null = null;
			if (binary.id) {
				metadataSize = (await this.helpers.getBinaryMetadata(binary.id)).fileSize;
				for await (const chunk of await this.helpers.getBinaryStream(binary.id, 256 * 1024)) {
					hash.update(chunk as Buffer);
					size += (chunk as Buffer).length;
					chunks++;
				}
			} else {
				const buffer = Buffer.from(binary.data, BINARY_ENCODING);
				hash.update(buffer);
				size = buffer.length;
				chunks = 1;
			}
			out.push({
				json: {
					sha256: hash.digest('hex'),
					size,
					streamed: binary.id !== undefined,
					chunks,
					idPrefix: binary.id ? binary.id.slice(0, binary.id.indexOf(':') + 1) : null,
					metadataSize,
					fileName: binary.fileName ?? null,
					mimeType: binary.mimeType,
				},
				pairedItem: { item: i },
			});
		}
		return [out];
	}
}
