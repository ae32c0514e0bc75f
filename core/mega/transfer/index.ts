/** File bodies: streaming, parallel, chunk-MAC-verified upload and download. The exports below are the contract; upload.ts and download.ts state it in full. */
export type { TransferApi, TransferProgress, TransferRequestOptions } from './api';
export { uploadFile, freeName, DEFAULT_POST_BYTES, DEFAULT_MAX_POST_BYTES, DEFAULT_UPLOAD_CONCURRENCY } from './upload';
export type { UploadOptions, UploadResult, UploadOutcome, NameConflictPolicy, ExistingFile, UploadConflictOptions } from './upload';
export type { UploadSource } from './source';
export { SourceNotRestartableError } from './source';
export { openDownload, MegaDownloadStream, DEFAULT_DOWNLOAD_CONCURRENCY, DEFAULT_REQUEST_BYTES, DEFAULT_MAX_REQUEST_BYTES } from './download';
export type { DownloadOptions, DownloadSource, MegaDownloadInfo } from './download';
export {
	TransferIntegrityError,
	TransferQuotaError,
	UploadFailedError,
	NameConflictError,
	SizeMismatchError,
	type IntegrityFailure,
} from './errors';
export { ChunkCipher, type ChunkMac } from './chunk-cipher';
export { chunkFloor, chunkCeil, chunkIndex, planRequests, nextRequestEnd, AdaptiveRequestSize } from './chunk-math';
