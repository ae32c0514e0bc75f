/** What every Public Link operation shares: the link fields, the gateway, and link-password errors as input errors. */
import { NodeOperationError, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import { MegaLinkError } from '../../../../core/mega/errors';
import { MEGA_API_CREDENTIAL, megaConnectionFromCredential } from '../../../shared';
import { optionsParameter, stringParameter } from '../params';

export const linkField: INodeProperties = {
	displayName: 'Link',
	name: 'url',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. https://mega.nz/file/AbCd1234#…',
	description: 'A MEGA file or folder link, with its key (the part after #); password-protected (#P!) links too',
};

export const linkPasswordOption: INodeProperties = {
	displayName: 'Link Password',
	name: 'password',
	type: 'string',
	typeOptions: { password: true },
	default: '',
	description: 'Only for password-protected (#P!) links',
};

export interface PublicLinkInput {
	url: string;
	password?: string;
	/** The credential's API gateway: public links need no login, only the address. */
	gateway: string;
}

export async function publicLinkInput(ctx: IExecuteFunctions, itemIndex: number): Promise<PublicLinkInput> {
	const url = stringParameter(ctx, 'url', itemIndex).trim();
	if (!url) {
		throw new NodeOperationError(ctx.getNode(), 'No MEGA link given', { itemIndex, description: 'Paste a link such as https://mega.nz/file/…#… into "Link".' });
	}
	const password = String(optionsParameter(ctx, itemIndex).password ?? '');
	const { gateway } = megaConnectionFromCredential(await ctx.getCredentials(MEGA_API_CREDENTIAL));
	return { url, gateway, ...(password ? { password } : {}) };
}

/**
 * A missing or wrong link password is the user's input, not the MEGA credential: report it as a NodeOperationError
 * (the core tags it credential-invalid, which n8n would read as "fix the credential").
 */
export async function withLinkInput<T>(ctx: IExecuteFunctions, itemIndex: number, work: () => Promise<T>): Promise<T> {
	let failure: unknown;
	try {
		return await work();
	} catch (error) {
		failure = error;
	}
	if (failure instanceof MegaLinkError && failure.code === 'ELINKPASSWORD') {
		throw new NodeOperationError(ctx.getNode(), failure.message, { itemIndex, description: 'Enter the link password under Options → Link Password.' });
	}
	throw failure;
}
