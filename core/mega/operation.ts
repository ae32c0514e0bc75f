/**
 * Errors in terms of what the user was doing. A MEGA error names a command letter (`g`, `a`, `m`); a workflow user
 * knows "downloading /Reports/q4.pdf" or "renaming /a.txt to b.txt". `runOperation` names the operation in any
 * core error that escapes it (the code and command stay, for support) and swaps hints that do not fit what was done.
 */
import {
	MegaAbortError,
	MegaAmbiguousPathError,
	MegaApiError,
	MegaCredentialError,
	MegaError,
	MegaInvalidOperationError,
	MegaLinkError,
	MegaNotFoundError,
} from './errors';
import { NameConflictError, SizeMismatchError } from './transfer/errors';

/** read: looking things up; change: a write; download/upload: moving bytes; public: a link, without any login. */
export type MegaOperationKind = 'read' | 'change' | 'download' | 'upload' | 'public';

export interface MegaOperation {
	kind: MegaOperationKind;
	/** A phrase after "while": `downloading "/Reports/q4.pdf"`. */
	text: string;
}

const ACCESS_HINTS: Record<MegaOperationKind, string | undefined> = {
	read: 'This account may no longer see the item (a share was withdrawn); check that it is still shared with the account.',
	download: 'This account may no longer read the file (a share was withdrawn or a link disabled); check that it is still shared with the account.',
	upload: 'Check that the account may add files to this folder (a folder shared with it can be read-only).',
	public: 'The link may have been disabled or taken down; ask the owner for a current link.',
	change: undefined,
};

/** Errors about the input that already say what is wrong with which item: their message stays as it is. */
function describesItself(error: MegaError): boolean {
	return (
		error instanceof MegaNotFoundError ||
		error instanceof MegaAmbiguousPathError ||
		error instanceof MegaInvalidOperationError ||
		error instanceof MegaLinkError ||
		error instanceof MegaCredentialError ||
		error instanceof MegaAbortError ||
		error instanceof NameConflictError ||
		error instanceof SizeMismatchError
	);
}

/** The hint that fits this kind of operation, when the error's own hint does not. */
export function hintForOperation(error: MegaError, kind: MegaOperationKind): string | undefined {
	const last = error.original instanceof MegaApiError ? error.original : error;
	const errno = last instanceof MegaApiError ? last.errno : undefined;
	if (errno === -11) return ACCESS_HINTS[kind];
	if (errno === -15 && kind === 'public') {
		return 'No login is involved here: MEGA no longer accepts this public link (removed, or its key or password changed). Ask the owner for a current link.';
	}
	return undefined;
}

/**
 * Names the operation in a core error (once) and fits its hint; anything else passes through unchanged. A function
 * is asked only when there is an error to describe (it may look up the path of a handle then).
 */
export function describeInOperation(error: unknown, operation: MegaOperation | (() => MegaOperation)): unknown {
	if (!(error instanceof MegaError) || describesItself(error) || error.operation !== undefined) return error;
	const { kind, text } = typeof operation === 'function' ? operation() : operation;
	return error.withinOperation(text, hintForOperation(error, kind));
}

/** Runs `work`; a core error escaping it names the operation. */
export async function runOperation<T>(operation: MegaOperation | (() => MegaOperation), work: () => Promise<T>): Promise<T> {
	try {
		return await work();
	} catch (error) {
		throw describeInOperation(error, operation);
	}
}
