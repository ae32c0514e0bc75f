import { MegaS4 } from '../../../nodes/MegaS4/MegaS4.node';
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
});

test('Delete Many accepts commas, new lines and arrays, dropping blanks and duplicates', () => {
	expect(parseKeys('a.txt, b/c.txt\n\n/d.txt,a.txt')).toEqual(['a.txt', 'b/c.txt', 'd.txt']);
	expect(parseKeys(['x', ' y ', ''])).toEqual(['x', 'y']);
});
