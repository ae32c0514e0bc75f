import { RsaKeyError } from './errors';

/** Big-endian bytes to bigint. */
export function bufferToBigint(data: Buffer): bigint {
	return data.length === 0 ? 0n : BigInt(`0x${data.toString('hex')}`);
}

/** bigint to big-endian bytes: minimal length, or left-padded to `length`. */
export function bigintToBuffer(value: bigint, length?: number): Buffer {
	if (value < 0n) throw new RangeError('Negative integers have no MPI encoding');
	let hex = value === 0n ? '' : value.toString(16);
	if (hex.length % 2 === 1) hex = `0${hex}`;
	const minimal = Buffer.from(hex, 'hex');
	if (length === undefined) return minimal;
	if (minimal.length > length) throw new RangeError(`Integer needs ${minimal.length} bytes, more than ${length}`);
	return Buffer.concat([Buffer.alloc(length - minimal.length), minimal]);
}

export function bitLength(value: bigint): number {
	return value === 0n ? 0 : value.toString(2).length;
}

/** Reads one MPI (2-byte big-endian bit count, then ⌈bits/8⌉ magnitude bytes) at `offset`. */
export function readMpi(data: Buffer, offset = 0): { value: bigint; next: number } {
	if (!Buffer.isBuffer(data) || offset + 2 > data.length) throw new RsaKeyError('Truncated MPI: no length header');
	const bits = data.readUInt16BE(offset);
	const end = offset + 2 + Math.ceil(bits / 8);
	if (end > data.length) throw new RsaKeyError(`Truncated MPI: header says ${bits} bits, only ${data.length - offset - 2} bytes follow`);
	return { value: bufferToBigint(data.subarray(offset + 2, end)), next: end };
}

/** MPI with the true bit count and minimal bytes (megajs's reader rejects anything else). */
export function encodeMpi(value: bigint): Buffer {
	const bits = bitLength(value);
	if (bits > 0xffff) throw new RangeError('Integer too large for an MPI');
	const header = Buffer.alloc(2);
	header.writeUInt16BE(bits);
	return Buffer.concat([header, bigintToBuffer(value)]);
}

export function mod(a: bigint, m: bigint): bigint {
	const r = a % m;
	return r < 0n ? r + m : r;
}

/** Modular inverse by the extended Euclidean algorithm; throws when none exists. */
export function modInverse(a: bigint, m: bigint): bigint {
	let [oldR, r] = [mod(a, m), m];
	let [oldS, s] = [1n, 0n];
	while (r !== 0n) {
		const quotient = oldR / r;
		[oldR, r] = [r, oldR - quotient * r];
		[oldS, s] = [s, oldS - quotient * s];
	}
	if (oldR !== 1n) throw new RsaKeyError('Value has no modular inverse');
	return mod(oldS, m);
}

export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
	let result = 1n;
	let b = mod(base, modulus);
	for (let e = exponent; e > 0n; e >>= 1n) {
		if (e & 1n) result = (result * b) % modulus;
		b = (b * b) % modulus;
	}
	return result;
}

export function gcd(a: bigint, b: bigint): bigint {
	while (b !== 0n) [a, b] = [b, a % b];
	return a;
}
