import type {
	ICredentialDataDecryptedObject,
	ICredentials,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeProperties,
	IRequestOptionsSimplified,
	Workflow,
} from 'n8n-workflow';
import { ICredentialsHelper } from 'n8n-workflow';

/** Decrypted credential data by credential type name, e.g. `{ megaS4Api: { accessKeyId, ... } }`. */
export type CredentialMap = Record<string, ICredentialDataDecryptedObject>;

/**
 * n8n's credential service, answered from a map. When the credential *type* is registered it behaves like
 * n8n's own helper: missing fields get the properties' defaults, `authenticate` (function or generic) decorates requests made with
 * `httpRequestWithAuthentication`, and `preAuthentication` fills the type's `expirable` field when it is
 * empty or the server answered 401 (the refreshed data is kept in the map, as n8n writes it back).
 * Without a registered type, requests pass through untouched.
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	/** How often `preAuthentication` ran, by type: lets a test see a session being reused or refreshed. */
	readonly preAuthenticationCalls: Record<string, number> = {};

	private readonly types = new Map<string, ICredentialType>();

	constructor(
		private readonly credentials: CredentialMap,
		credentialTypes: ICredentialType[] = [],
	) {
		super();
		for (const type of credentialTypes) this.types.set(type.name, type);
	}

	getParentTypes(name: string): string[] {
		const parents = this.types.get(name)?.extends ?? [];
		return parents.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const options = requestOptions as IHttpRequestOptions;
		const authenticate = this.types.get(typeName)?.authenticate;
		if (!authenticate) return options;
		if (typeof authenticate === 'function') return await authenticate(credentials, options);
		return applyGenericAuthentication(authenticate.properties as IDataObject, credentials, options, workflow, node);
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		_node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.types.get(typeName);
		if (!type?.preAuthentication) return undefined;
		const expirable = type.properties.find((property) => property.typeOptions?.expirable === true);
		if (!expirable) return undefined;
		if (!credentialsExpired && credentials[expirable.name] !== '' && credentials[expirable.name] !== undefined) return undefined;
		return await this.runPreAuthentication(helpers, credentials, typeName);
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.types.get(typeName);
		if (!type?.preAuthentication) return undefined;
		this.preAuthenticationCalls[typeName] = (this.preAuthenticationCalls[typeName] ?? 0) + 1;
		const output = (await type.preAuthentication.call(helpers, credentials)) as ICredentialDataDecryptedObject;
		this.credentials[typeName] = { ...this.credentials[typeName], ...output };
		return output;
	}

	async getCredentials(_nodeCredentials: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		throw new Error(`The harness keeps credentials decrypted only; getCredentials("${type}") (OAuth flows) is not supported`);
	}

	async getDecrypted(
		_additionalData: unknown,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const data = this.credentials[type];
		if (!data) {
			throw new Error(`No credentials of type "${type}" in the harness map; known: ${Object.keys(this.credentials).join(', ') || 'none'}`);
		}
		// A copy, as n8n decrypts afresh for every request: a node mutating it must not leak into the next run.
		const decrypted = structuredClone(data);
		// n8n fills fields the user never touched with the property defaults (ignoring displayOptions here).
		for (const property of this.types.get(type)?.properties ?? []) {
			if (decrypted[property.name] === undefined && property.default !== undefined && property.type !== 'notice') {
				decrypted[property.name] = property.default as ICredentialDataDecryptedObject[string];
			}
		}
		return decrypted;
	}

	async updateCredentials(_nodeCredentials: INodeCredentialsDetails, type: string, data: ICredentialDataDecryptedObject): Promise<void> {
		this.credentials[type] = data;
	}

	async updateCredentialsOauthTokenData(_nodeCredentials: INodeCredentialsDetails, type: string, data: ICredentialDataDecryptedObject): Promise<void> {
		this.credentials[type] = data;
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.types.get(type)?.properties ?? [];
	}
}

/** n8n's generic authentication: copy `headers`/`qs`/`body`/`auth` entries, resolving `={{$credentials.x}}`. */
function applyGenericAuthentication(
	properties: IDataObject,
	credentials: ICredentialDataDecryptedObject,
	options: IHttpRequestOptions,
	workflow?: Workflow,
	node?: INode,
): IHttpRequestOptions {
	const resolve = (value: unknown): unknown => {
		if (typeof value !== 'string' || !value.startsWith('=')) return value;
		if (!workflow || !node) throw new Error('Generic credential expressions need the workflow and node');
		return workflow.expression.getSimpleParameterValue(node, value, 'internal', { $credentials: credentials } as IDataObject, undefined, '');
	};
	const result = { ...options } as IHttpRequestOptions & Record<string, unknown>;
	for (const [section, entries] of Object.entries(properties)) {
		const resolved: Record<string, unknown> = {};
		for (const [key, value] of Object.entries(entries as IDataObject)) resolved[key] = resolve(value);
		result[section] = { ...((result[section] as object | undefined) ?? {}), ...resolved };
	}
	return result;
}
