/**
 * Core errors (S4Error, MegaError: both carry a category in `cause` and a fix in `hint`) to n8n errors:
 * input problems -> NodeOperationError, everything else -> NodeApiError, message = what happened,
 * description = how to fix, and an n8n `failure` cause when the category has one.
 */
import { NodeApiError, NodeOperationError, type Failure, type INode, type JsonObject } from 'n8n-workflow';

export interface CoreErrorLike extends Error {
	/** The category, e.g. 'credential-invalid' (not an Error chain). */
	cause?: unknown;
	hint?: string;
	retryAfterMs?: number;
	httpStatus?: number;
	status?: number;
	code?: string;
	/** True when the input was refused locally, before any request. */
	input?: boolean;
}

const TIMED = new Set(['rate-limited', 'quota-exhausted', 'temporarily-unavailable']);

export function failureFromCategory(category: string | undefined, retryAfterMs?: number): Failure | undefined {
	if (!category) return undefined;
	if (TIMED.has(category)) {
		return { cause: category as 'rate-limited' | 'quota-exhausted' | 'temporarily-unavailable', ...(retryAfterMs ? { retryAfterMs } : {}) };
	}
	if (category === 'credential-invalid') return { cause: 'credential-invalid' };
	if (category === 'not-found' || category === 'access-denied') return { cause: 'configuration-invalid' };
	return undefined;
}

function isCoreError(error: unknown): error is CoreErrorLike {
	return error instanceof Error && typeof (error as CoreErrorLike).cause === 'string';
}

/** Wraps anything thrown by the core into the n8n error a user should see; n8n errors pass through unchanged. */
export function toNodeError(node: INode, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	if (isCoreError(error)) {
		const category = error.cause as string;
		const failure = failureFromCategory(category, error.retryAfterMs);
		if (error.input === true || category === 'invalid-input') {
			return new NodeOperationError(node, error.message, { itemIndex, description: error.hint, ...(failure ? { failure } : {}) });
		}
		const status = error.httpStatus ?? error.status;
		const response: JsonObject = { message: error.message, code: error.code ?? null, ...(status ? { httpCode: String(status) } : {}) };
		const apiError = new NodeApiError(node, response, {
			itemIndex,
			message: error.message,
			description: error.hint,
			...(status ? { httpCode: String(status) } : {}),
			...(failure ? { failure } : {}),
		});
		// NodeApiError swaps messages that mention a Node.js error code (ENOENT, EEXIST, EACCES…, also MEGA's own
		// error names) for its generic sentence ("The file or directory already exists"): keep ours, it says which item.
		apiError.message = error.message;
		return apiError;
	}
	if (error instanceof Error) return new NodeOperationError(node, error, { itemIndex, failure: { cause: 'node-defect' } });
	return new NodeOperationError(node, String(error), { itemIndex, failure: { cause: 'node-defect' } });
}
