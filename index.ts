/**
 * n8n-nodes-mega: n8n loads the nodes and credentials from package.json's `n8n` section.
 * This entry point exports the protocol core as a typed MEGA client that works without n8n.
 */
export * as megaCrypto from './core/mega/crypto';
export { MegaClient, publicFileInfo, listPublicFolder, openPublicFolder, openPublicDownload } from './core/mega/client';
export type { NodeRef, MegaClientOptions, MegaSearchQuery, MegaQuota, MegaAccountInfo, MegaUploadOptions, MegaUploadResult } from './core/mega/client';
export type { MegaNode, MegaNodeType } from './core/mega/tree';
export type { MegaChangeEvent, MegaChangeBatch, MegaChangeType } from './core/mega/changes';
export { exportSession, importSession, login as megaLogin, logout as megaLogout, MegaLoginError } from './core/mega/session';
export type { MegaCredentials, MegaSessionData } from './core/mega/session';
export { MegaApiTransport } from './core/mega/api/transport';
export { uploadFile, openDownload, MegaDownloadStream, TransferIntegrityError, TransferQuotaError, UploadFailedError, NameConflictError, SizeMismatchError } from './core/mega/transfer';
export type { UploadOptions, UploadResult, NameConflictPolicy, DownloadOptions, DownloadSource, UploadSource, TransferApi } from './core/mega/transfer';
export { httpRequest } from './core/mega/api/http';
export { parseMegaLink, resolveMegaLink, formatFileLink, formatFolderLink, encryptPasswordLink, decryptPasswordLink } from './core/mega/links';
export { totp } from './core/mega/totp';
export * from './core/mega/errors';
export * as s4 from './core/s4';
