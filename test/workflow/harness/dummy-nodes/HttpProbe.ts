import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

/**
 * Test-only credential with a function `authenticate` and a `preAuthentication` login, the shape a MEGA
 * session credential takes: the login result lands in the hidden expirable `session` field.
 */
export class HarnessSessionApi implements ICredentialType {
	name = 'harnessSessionApi';
	displayName = 'Harness Session API';
	properties: INodeProperties[];

	/** `defaults.baseUrl` becomes the Base URL field's default, so a test can leave it out of the map. */
	constructor(defaults: { baseUrl?: string } = {}) {
		this.properties = [
			{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: defaults.baseUrl ?? '' },
			{ displayName: 'Password', name: 'password', type: 'string', typeOptions: { password: true }, default: '' },
			{ displayName: 'Session', name: 'session', type: 'hidden', typeOptions: { expirable: true }, default: '' },
		];
	}

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): Promise<IDataObject> {
		const response = (await this.helpers.httpRequest({
			method: 'POST',
			url: `${credentials.baseUrl as string}/login`,
			body: { password: credentials.password },
			json: true,
		})) as { session: string };
		return { session: response.session };
	}

	authenticate = async (credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> => ({
		...requestOptions,
		headers: { ...requestOptions.headers, 'x-session': credentials.session as string },
	});
}

/** Test-only credential with n8n's generic (declarative) authentication. */
export class HarnessGenericApi implements ICredentialType {
	name = 'harnessGenericApi';
	displayName = 'Harness Generic API';
	properties: INodeProperties[] = [{ displayName: 'API Key', name: 'apiKey', type: 'string', typeOptions: { password: true }, default: '' }];
	authenticate = {
		type: 'generic' as const,
		properties: { headers: { authorization: '=Bearer {{$credentials.apiKey}}' }, qs: { client: 'harness' } },
	};
}

/** Test-only node: one `httpRequestWithAuthentication` GET per item, outputs the JSON the server answered. */
export class HttpProbe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'HTTP Probe',
		name: 'httpProbe',
		group: ['transform'],
		version: 1,
		description: 'Test-only: authenticated GET',
		defaults: { name: 'HTTP Probe' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'harnessSessionApi', required: true, displayOptions: { show: { authentication: ['session'] } } },
			{ name: 'harnessGenericApi', required: true, displayOptions: { show: { authentication: ['generic'] } } },
		],
		properties: [
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				options: [
					{ name: 'Session', value: 'session' },
					{ name: 'Generic', value: 'generic' },
				],
				default: 'session',
			},
			{ displayName: 'URL', name: 'url', type: 'string', default: '' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		const credentialType = this.getNodeParameter('authentication', 0) === 'generic' ? 'harnessGenericApi' : 'harnessSessionApi';
		for (let i = 0; i < items.length; i++) {
			const body = (await this.helpers.httpRequestWithAuthentication.call(this, credentialType, {
				method: 'GET',
				url: this.getNodeParameter('url', i) as string,
				json: true,
			})) as IDataObject;
			out.push({ json: body, pairedItem: { item: i } });
		}
		return [out];
	}
}
