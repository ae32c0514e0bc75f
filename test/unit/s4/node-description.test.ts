import { mock } from 'jest-mock-extended';
import { NodeHelpers, Workflow, type ICredentialsDecrypted, type ICredentialTestFunctions, type INode, type INodeTypes } from 'n8n-workflow';
import { MegaS4 } from '../../../nodes/MegaS4/MegaS4.node';
import { s4ConfigFromCredential } from '../../../nodes/MegaS4/transport';
import { MegaS4Api } from '../../../credentials/MegaS4Api.credentials';
import * as bucket from '../../../nodes/MegaS4/actions/bucket/Bucket.resource';
import * as folder from '../../../nodes/MegaS4/actions/folder/Folder.resource';
import * as object from '../../../nodes/MegaS4/actions/object/Object.resource';
import { parseKeys } from '../../../nodes/MegaS4/actions/object/deleteMany.operation';

const expected: Record<string, string[]> = {
	bucket: ['create', 'delete', 'getAll', 'search'],
	object: ['copy', 'delete', 'deleteMany', 'download', 'get', 'getAll', 'getPresignedUrl', 'move', 'upload'],
	folder: ['create', 'delete', 'getAll'],
};
const modules: Record<string, Record<string, unknown>> = { bucket, object, folder };

describe('MEGA S4 node description', () => {
	const node = new MegaS4();
	const { description } = node;

	test('identity, tool use, credential test', () => {
		expect(description).toMatchObject({ name: 'megaS4', displayName: 'MEGA S4', usableAsTool: true, version: 1 });
		expect(description.credentials).toEqual([{ name: 'megaS4Api', required: true, testedBy: 'megaS4ApiTest' }]);
		expect(typeof node.methods.credentialTest.megaS4ApiTest).toBe('function');
		expect(typeof node.methods.listSearch.searchBuckets).toBe('function');
	});

	test.each(Object.keys(expected))('resource %s offers exactly the issue\'s operations, each with execute', (resource) => {
		const operationProperty = description.properties.find((p) => p.name === 'operation' && p.displayOptions?.show?.resource?.includes(resource));
		const values = (operationProperty?.options as Array<{ value: string }>).map((o) => o.value).sort();
		expect(values).toEqual([...expected[resource]].sort());
		for (const op of expected[resource]) {
			expect(typeof (modules[resource][op] as { execute?: unknown }).execute).toBe('function');
		}
	});

	test('bucket pickers are resource locators with a searchable list first', () => {
		const locators = description.properties.filter((p) => p.type === 'resourceLocator');
		expect(locators.length).toBeGreaterThan(10);
		for (const locator of locators) {
			expect(locator.default).toEqual({ mode: 'list', value: '' });
			expect(locator.modes?.[0]).toMatchObject({ name: 'list', typeOptions: { searchListMethod: 'searchBuckets', searchable: true } });
		}
	});

	test('presigned URL expiry defaults to one hour and is capped at 7 days', () => {
		const expiry = description.properties.find((p) => p.name === 'expiresIn');
		expect(expiry).toMatchObject({ default: 3600, typeOptions: { minValue: 1, maxValue: 604800 } });
	});

	test('the canvas subtitle reads in words, as the editor evaluates it', () => {
		const nodeTypes: INodeTypes = {
			getByName: () => node,
			getByNameAndVersion: () => NodeHelpers.getVersionedNodeType(node, 1),
			getKnownTypes: () => ({}),
		};
		const subtitleFor = (resource: string, operation: string) => {
			const s4: INode = { id: '1', name: 'MEGA S4', type: 'n8n-nodes-mega.megaS4', typeVersion: 1, position: [0, 0], parameters: { resource, operation } };
			const workflow = new Workflow({ nodes: [s4], connections: {}, active: false, nodeTypes });
			return workflow.expression.getSimpleParameterValue(s4, description.subtitle, 'internal', {});
		};
		expect(subtitleFor('object', 'getPresignedUrl')).toBe('Get Presigned URL: Object');
		expect(subtitleFor('bucket', 'getAll')).toBe('Get Many: Bucket');
		expect(subtitleFor('folder', 'delete')).toBe('Delete: Folder');
	});

	test('an operation value shared by resources has one name (the subtitle looks names up by value)', () => {
		const namesByValue = new Map<string, Set<string>>();
		for (const p of description.properties.filter((p) => p.name === 'operation')) {
			for (const o of p.options as Array<{ name: string; value: string }>) namesByValue.set(o.value, (namesByValue.get(o.value) ?? new Set()).add(o.name));
		}
		for (const [value, names] of namesByValue) expect([value, [...names]]).toEqual([value, [[...names][0]]]);
	});

	test('every operation-specific property is shown only for its resource and operation', () => {
		for (const p of description.properties) {
			if (p.name === 'resource' || p.name === 'operation') continue;
			expect(p.displayOptions?.show?.resource).toHaveLength(1);
			expect(p.displayOptions?.show?.operation).toHaveLength(1);
		}
	});
});

describe('megaS4Api credential', () => {
	const credential = new MegaS4Api();

	test('keys, secret as a password, the four regions plus other, path style on', () => {
		const byName = Object.fromEntries(credential.properties.map((p) => [p.name, p]));
		expect(byName.secretAccessKey.typeOptions).toEqual({ password: true });
		expect((byName.region.options as Array<{ value: string }>).map((o) => o.value)).toEqual(['eu-central-1', 'eu-central-2', 'ca-central-1', 'ca-west-1', 'other']);
		expect(byName.forcePathStyle.default).toBe(true);
		expect(byName.endpoint.default).toBe('');
		expect(credential.documentationUrl).toMatch(/^https:\/\//);
		expect(credential.icon).toEqual({ light: 'file:megaS4.svg', dark: 'file:megaS4.dark.svg' });
	});

	test('regions read "City - code", the code as S4 writes it', () => {
		const region = credential.properties.find((p) => p.name === 'region')!;
		expect((region.options as Array<{ name: string }>).map((o) => o.name)).toEqual([
			'Amsterdam - eu-central-1',
			'Luxembourg - eu-central-2',
			'Montreal - ca-central-1',
			'Vancouver - ca-west-1',
			'Other',
		]);
	});

	test('Region Name is shown, and required, only with Region "Other"', () => {
		const otherRegion = credential.properties.find((p) => p.name === 'otherRegion')!;
		expect(otherRegion).toMatchObject({ required: true, displayOptions: { show: { region: ['other'] } } });
	});
});

describe('Region "Other"', () => {
	const keys = { accessKeyId: 'AK', secretAccessKey: 'SK' };

	test('with a Region Name: signed for it, sent to its S4 endpoint', () => {
		expect(s4ConfigFromCredential({ ...keys, region: 'other', otherRegion: ' eu-central-3 ', endpoint: '' })).toMatchObject({ region: 'eu-central-3', endpoint: undefined });
	});

	test('with a Custom Endpoint and no Region Name: sent to the endpoint, signed for the default region', () => {
		expect(s4ConfigFromCredential({ ...keys, region: 'other', otherRegion: '', endpoint: 'http://127.0.0.1:9000' })).toMatchObject({ region: undefined, endpoint: 'http://127.0.0.1:9000' });
	});

	test('with neither: refused, and the credential test says what to fill in', async () => {
		const data = { ...keys, region: 'other', otherRegion: '', endpoint: ' ' };
		expect(() => s4ConfigFromCredential(data)).toThrow(/Region set to "Other" but no Region Name/);
		const result = await new MegaS4().methods.credentialTest.megaS4ApiTest.call(mock<ICredentialTestFunctions>(), {
			id: 'c',
			name: 'S4',
			type: 'megaS4Api',
			data,
		} as ICredentialsDecrypted);
		expect(result).toEqual({
			status: 'Error',
			message:
				'The MEGA S4 credential has Region set to "Other" but no Region Name. Enter the region code in Region Name (e.g. eu-central-3), or pick one of the listed regions.',
		});
	});
});

test('Delete Many accepts commas, new lines and arrays, dropping blanks and duplicates', () => {
	expect(parseKeys('a.txt, b/c.txt\n\n/d.txt,a.txt')).toEqual(['a.txt', 'b/c.txt', 'd.txt']);
	expect(parseKeys(['x', ' y ', ''])).toEqual(['x', 'y']);
});
