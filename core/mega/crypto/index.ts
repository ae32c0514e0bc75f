/** MEGA's cryptography on node:crypto: key derivation, key wrapping, CTR + chunk MACs, attributes, RSA, fingerprints, hashcash. */
export * from './errors';
export * from './base64url';
export {
	aesEcbEncrypt,
	aesEcbDecrypt,
	encryptKey,
	decryptKey,
	AesEcb,
	aesCbcEncryptZeroIv,
	aesCbcDecryptZeroIv,
} from './aes';
export * from './kdf-v1';
export * from './kdf-v2';
export * from './chunks';
export * from './mac';
export * from './ctr';
export * from './node-key';
export * from './attributes';
export { decryptAttributesFast, tryDecryptAttributes } from './attributes-fast';
export { readMpi, encodeMpi } from './mpi';
export * from './rsa';
export * from './fingerprint';
export {
	parseHashcashChallenge,
	hashcashThreshold,
	solveHashcash,
	verifyHashcash,
	createHashcashChallenge,
	type HashcashChallenge,
	type SolveHashcashOptions,
} from './hashcash';
export { handleAuth, handleAuthText, unwrapOwnerShareKey } from './share-key';
