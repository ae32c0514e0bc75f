/**
 * Typed errors of the crypto core. Messages describe the shape of the problem only:
 * they never include key material, passwords or session ids.
 */
export class MegaCryptoError extends Error {
	readonly code: string;

	constructor(code: string, message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = new.target.name;
		this.code = code;
	}
}

/** Text that is not strict unpadded base64url. */
export class InvalidBase64Error extends MegaCryptoError {
	constructor(message: string) {
		super('EBASE64', message);
	}
}

/** A key, nonce, MAC or session id of the wrong length or shape. */
export class InvalidKeyError extends MegaCryptoError {
	constructor(message: string) {
		super('EKEYLENGTH', message);
	}
}

/** Attributes that do not decrypt to `MEGA{…}` JSON: wrong key or corrupt data. */
export class AttributeDecryptError extends MegaCryptoError {
	constructor(message: string, options?: { cause?: unknown }) {
		super('EATTR', message, options);
	}
}

/** The meta-MAC of downloaded data does not match the node key. */
export class MacMismatchError extends MegaCryptoError {
	constructor(message = 'MAC verification failed: the data does not match the file key (corrupt or tampered download)') {
		super('EMAC', message);
	}
}

/** A meta-MAC was requested while chunk MACs are missing or duplicated. */
export class MissingChunkMacError extends MegaCryptoError {
	constructor(message: string) {
		super('ECHUNKMAC', message);
	}
}

/** A malformed MPI, RSA private key blob, public key or csid. */
export class RsaKeyError extends MegaCryptoError {
	constructor(message: string, options?: { cause?: unknown }) {
		super('ERSAKEY', message, options);
	}
}

/** A malformed `X-Hashcash` challenge or answer header. */
export class HashcashHeaderError extends MegaCryptoError {
	constructor(message: string) {
		super('EHASHCASHHDR', message);
	}
}

/** Hashcash solving was aborted by the caller or ran out of time. */
export class HashcashAbortedError extends MegaCryptoError {
	constructor(message: string, options?: { cause?: unknown }) {
		super('EHASHCASHABORT', message, options);
	}
}

/** A malformed fingerprint (`c`) attribute. */
export class FingerprintError extends MegaCryptoError {
	constructor(message: string) {
		super('EFINGERPRINT', message);
	}
}
