/**
 * Reads an `f` reply (`[{"f":[…nodes…],"f2":[…],"ok":[…],"s":[…],"sn":"…"}]`) as it streams in, handing each node of
 * the `f`/`f2` arrays to a callback as soon as its bytes are complete (with at least the fields the tree keeps), so neither the whole body (≈ 250 bytes a node)
 * nor a JSON object graph of every node is ever held. Everything outside those two arrays (share keys, shares, links,
 * `sn`, or an error number) is kept as text with the arrays left empty, and parsed at the end.
 *
 * Hand-written rather than a streaming JSON library: MEGA's node objects are flat (strings and numbers), which this
 * reads with `indexOf` and slices; a general streaming parser (token events per character) is several times slower
 * than `JSON.parse` on 300,000 nodes. Anything not flat (a nested value, an escaped string) goes to `JSON.parse` for
 * that one node, so every valid JSON reply reads the same as with `JSON.parse` of the whole.
 */
import type { RawNode } from '../tree';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

const INCOMPLETE = -1;

function isSpace(byte: number): boolean {
	return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** The index after the JSON value starting at `start` (any kind), or INCOMPLETE when the buffer ends first. */
function skipValue(buffer: Buffer, start: number): number {
	let depth = 0;
	let inString = false;
	for (let i = start; i < buffer.length; i++) {
		const byte = buffer[i];
		if (inString) {
			if (byte === BACKSLASH) i++;
			else if (byte === QUOTE) {
				inString = false;
				if (depth === 0) return i + 1;
			}
		} else if (byte === QUOTE) inString = true;
		else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
		else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
			depth--;
			if (depth === 0) return i + 1;
		} else if (depth === 0 && (byte === COMMA || isSpace(byte))) return i;
	}
	return INCOMPLETE;
}

/** Which field of a node a key is (the ones the tree keeps), from its bytes; 0 for any other key. */
function fieldOf(buffer: Buffer, from: number, to: number): number {
	const length = to - from;
	const first = buffer[from];
	if (length === 1) {
		if (first === 0x68) return FIELD_H;
		if (first === 0x70) return FIELD_P;
		if (first === 0x74) return FIELD_T;
		if (first === 0x61) return FIELD_A;
		if (first === 0x6b) return FIELD_K;
		if (first === 0x73) return FIELD_S;
	} else if (length === 2) {
		const second = buffer[from + 1];
		if (first === 0x74 && second === 0x73) return FIELD_TS;
		if (first === 0x66 && second === 0x61) return FIELD_FA;
	}
	return 0;
}

const FIELD_H = 1;
const FIELD_P = 2;
const FIELD_T = 3;
const FIELD_A = 4;
const FIELD_K = 5;
const FIELD_S = 6;
const FIELD_TS = 7;
const FIELD_FA = 8;

/**
 * Where the fields of one flat node are in the buffer (`…Start`/`…End` of a string's content, -1 when absent) and
 * its numbers (NaN when absent). One object, refilled for every node: a consumer reads it before the next node.
 */
export interface FlatNode {
	hStart: number;
	hEnd: number;
	pStart: number;
	pEnd: number;
	aStart: number;
	aEnd: number;
	kStart: number;
	kEnd: number;
	faStart: number;
	faEnd: number;
	t: number;
	s: number;
	ts: number;
	/** Whether some kept string has a byte ≥ 0x80 (then its text is UTF-8, not one byte per character). */
	nonAscii: boolean;
}

const flat: FlatNode = { hStart: -1, hEnd: -1, pStart: -1, pEnd: -1, aStart: -1, aEnd: -1, kStart: -1, kEnd: -1, faStart: -1, faEnd: -1, t: NaN, s: NaN, ts: NaN, nonAscii: false };

/** readNode's answer when the node is not flat (JSON.parse reads it). */
const NOT_FLAT = -2;

/** The node `flat` describes, as the object `JSON.parse` would give (only the fields the tree keeps). */
function rawNodeOf(buffer: Buffer, node: FlatNode): RawNode {
	const text = (from: number, to: number) => buffer.toString('utf8', from, to);
	const raw: RawNode = { h: text(node.hStart, node.hEnd), t: node.t };
	if (node.pStart >= 0) raw.p = text(node.pStart, node.pEnd);
	if (node.aStart >= 0) raw.a = text(node.aStart, node.aEnd);
	if (node.kStart >= 0) raw.k = text(node.kStart, node.kEnd);
	if (!Number.isNaN(node.s)) raw.s = node.s;
	if (!Number.isNaN(node.ts)) raw.ts = node.ts;
	if (node.faStart >= 0) raw.fa = text(node.faStart, node.faEnd);
	return raw;
}

/**
 * Reads one flat node object starting at `start` (`{`) into `flat`: the fields the tree keeps (`h p t a k s ts fa`;
 * others are skipped). Returns the index after it, INCOMPLETE when the buffer ends inside it, or NOT_FLAT.
 */
function readNode(buffer: Buffer, start: number): number {
	flat.hStart = flat.pStart = flat.aStart = flat.kStart = flat.faStart = -1;
	flat.t = flat.s = flat.ts = NaN;
	flat.nonAscii = false;
	let i = start + 1;
	const length = buffer.length;
	for (;;) {
		while (i < length && (isSpace(buffer[i]) || buffer[i] === COMMA)) i++;
		if (i >= length) return INCOMPLETE;
		if (buffer[i] === CLOSE_BRACE) {
			if (flat.hStart < 0 || Number.isNaN(flat.t)) return NOT_FLAT;
			return i + 1;
		}
		if (buffer[i] !== QUOTE) return NOT_FLAT;
		let keyEnd = i + 1;
		while (keyEnd < length && buffer[keyEnd] !== QUOTE && buffer[keyEnd] !== BACKSLASH) keyEnd++;
		if (keyEnd >= length) return INCOMPLETE;
		if (buffer[keyEnd] === BACKSLASH) return NOT_FLAT;
		const field = fieldOf(buffer, i + 1, keyEnd);
		i = keyEnd + 1;
		while (i < length && isSpace(buffer[i])) i++;
		if (i >= length) return INCOMPLETE;
		if (buffer[i] !== COLON) return NOT_FLAT;
		i++;
		while (i < length && isSpace(buffer[i])) i++;
		if (i >= length) return INCOMPLETE;
		const first = buffer[i];
		if (first === QUOTE) {
			let end = i + 1;
			let high = 0;
			for (; end < length; end++) {
				const byte = buffer[end];
				if (byte === QUOTE || byte === BACKSLASH) break;
				high |= byte;
			}
			if (end >= length) return INCOMPLETE;
			if (buffer[end] === BACKSLASH) return NOT_FLAT;
			if (field !== 0) {
				if (high & 0x80) flat.nonAscii = true;
				if (field === FIELD_H) {
					flat.hStart = i + 1;
					flat.hEnd = end;
				} else if (field === FIELD_P) {
					flat.pStart = i + 1;
					flat.pEnd = end;
				} else if (field === FIELD_A) {
					flat.aStart = i + 1;
					flat.aEnd = end;
				} else if (field === FIELD_K) {
					flat.kStart = i + 1;
					flat.kEnd = end;
				} else if (field === FIELD_FA) {
					flat.faStart = i + 1;
					flat.faEnd = end;
				} else {
					return NOT_FLAT;
				}
			}
			i = end + 1;
		} else if (first === 0x2d || (first >= 0x30 && first <= 0x39)) {
			let end = i + 1;
			let integer = first !== 0x2d;
			let value = integer ? first - 0x30 : 0;
			for (; end < length; end++) {
				const byte = buffer[end];
				if (byte >= 0x30 && byte <= 0x39) value = value * 10 + (byte - 0x30);
				else if (byte === 0x2e || byte === 0x65 || byte === 0x45 || byte === 0x2b || byte === 0x2d) integer = false;
				else break;
			}
			if (end >= length) return INCOMPLETE;
			const number = integer && value <= Number.MAX_SAFE_INTEGER ? value : Number(buffer.toString('latin1', i, end));
			if (field === FIELD_T) flat.t = number;
			else if (field === FIELD_S) flat.s = number;
			else if (field === FIELD_TS) flat.ts = number;
			else if (field !== 0) return NOT_FLAT;
			i = end;
		} else {
			return NOT_FLAT;
		}
	}
}

export class FetchReplyScanner {
	/** Bytes of the body not consumed yet (a node cut by a chunk boundary). */
	private carry = Buffer.allocUnsafeSlow(4_096);
	private carryLength = 0;
	/**
	 * The carried bytes joined with the next chunk, in one buffer reused for every chunk: a fresh 64 KiB buffer per
	 * chunk, dropped at once, fragments the C heap (glibc raises its mmap threshold as large buffers are freed during a
	 * load, and the long-lived tree ends up between the holes), which showed as up to 40 MiB of retained RSS.
	 */
	private joined = Buffer.allocUnsafeSlow(0);
	private readonly rest: Buffer[] = [];
	private restBytes = 0;
	private depth = 0;
	private inString = false;
	private escaped = false;
	private stringStart = -1;
	/** The last string closed directly inside the reply's object (depth 2): the key of the next value. */
	private lastKey = '';
	private inNodes = false;
	private inVersions = false;
	nodes = 0;

	/**
	 * `onFlatNode`, when given, sees each flat node first, straight from the bytes (no strings made); when it returns
	 * false (or for a node that is not flat) `onNode` gets the node as an object.
	 */
	constructor(
		private readonly onNode: (node: RawNode, isVersion: boolean) => void,
		private readonly onFlatNode?: (buffer: Buffer, node: Readonly<FlatNode>, isVersion: boolean) => boolean,
	) {}

	write(chunk: Buffer): void {
		let buffer = chunk;
		if (this.carryLength > 0) {
			const total = this.carryLength + chunk.length;
			if (this.joined.length < total) this.joined = Buffer.allocUnsafeSlow(Math.max(total, this.joined.length * 2));
			this.carry.copy(this.joined, 0, 0, this.carryLength);
			chunk.copy(this.joined, this.carryLength);
			buffer = this.joined.subarray(0, total);
			this.carryLength = 0;
		}
		let i = 0;
		let restFrom = 0;
		const length = buffer.length;
		while (i < length) {
			if (this.inNodes) {
				const byte = buffer[i];
				if (isSpace(byte) || byte === COMMA) {
					i++;
				} else if (byte === OPEN_BRACE) {
					let end = readNode(buffer, i);
					if (end === INCOMPLETE) break;
					if (end === NOT_FLAT) {
						end = skipValue(buffer, i);
						if (end === INCOMPLETE) break;
						this.onNode(JSON.parse(buffer.toString('utf8', i, end)) as RawNode, this.inVersions);
					} else if (!this.onFlatNode?.(buffer, flat, this.inVersions)) {
						this.onNode(rawNodeOf(buffer, flat), this.inVersions);
					}
					this.nodes++;
					i = end;
				} else if (byte === CLOSE_BRACKET) {
					this.inNodes = false;
					this.depth--;
					restFrom = i;
					i++;
				} else {
					// Not a node object (a malformed reply): let JSON.parse of the rest judge it.
					this.inNodes = false;
					restFrom = i;
				}
				continue;
			}
			const byte = buffer[i];
			if (this.inString) {
				if (this.escaped) this.escaped = false;
				else if (byte === BACKSLASH) this.escaped = true;
				else if (byte === QUOTE) {
					this.inString = false;
					if (this.depth === 2 && this.stringStart >= 0) this.lastKey = buffer.toString('latin1', this.stringStart, i);
				}
			} else if (byte === QUOTE) {
				this.inString = true;
				this.stringStart = i + 1;
			} else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
				this.depth++;
				if (byte === OPEN_BRACKET && this.depth === 3 && (this.lastKey === 'f' || this.lastKey === 'f2')) {
					this.keepRest(buffer.subarray(restFrom, i + 1));
					this.inNodes = true;
					this.inVersions = this.lastKey === 'f2';
				}
			} else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
				this.depth--;
			} else if (byte === COLON || byte === COMMA) {
				if (byte === COMMA) this.lastKey = '';
			}
			i++;
		}
		if (i < length) {
			// Inside a node cut by the chunk's end: keep it for the next chunk.
			this.keepCarry(buffer.subarray(i));
		} else if (!this.inNodes && this.inString && this.depth === 2 && this.stringStart > restFrom) {
			// A possible key cut by the chunk's end: read it again, whole, with the next chunk.
			this.keepRest(buffer.subarray(restFrom, this.stringStart - 1));
			this.keepCarry(buffer.subarray(this.stringStart - 1));
			this.inString = false;
			this.escaped = false;
		} else if (!this.inNodes) {
			this.keepRest(buffer.subarray(restFrom));
		}
	}

	private keepCarry(bytes: Buffer): void {
		if (this.carry.length < bytes.length) this.carry = Buffer.allocUnsafeSlow(Math.max(bytes.length, this.carry.length * 2));
		bytes.copy(this.carry);
		this.carryLength = bytes.length;
	}

	private keepRest(bytes: Buffer): void {
		if (bytes.length === 0) return;
		this.rest.push(Buffer.from(bytes));
		this.restBytes += bytes.length;
	}

	/** The reply without its node arrays (parsed), or throws SyntaxError when the body was cut short or is not JSON. */
	end(): unknown {
		if (this.carryLength > 0 || this.inNodes) throw new SyntaxError('The reply ended inside the node list');
		return JSON.parse(Buffer.concat(this.rest, this.restBytes).toString('utf8'));
	}
}
