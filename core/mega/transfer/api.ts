/** The structural API object transfers need: `MegaApiTransport` satisfies it, and so does a test double. */
export interface TransferRequestOptions {
	signal?: AbortSignal;
	query?: Record<string, string>;
}

export interface TransferApi {
	request<T = unknown>(command: Record<string, unknown>, options?: TransferRequestOptions): Promise<T>;
	/** When present (MegaApiTransport has it), mutating commands carry an `i` so the change feed can tell our own changes. */
	nextRequestTag?(): string;
}

export interface TransferProgress {
	bytesDone: number;
	bytesTotal: number;
}
