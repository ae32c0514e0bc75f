import type { ActionPacket } from './sc-log';

/**
 * MEGA's two reply dialects. Legacy (no `v` on the `cs` URL: megajs, megatools, go-mega) answers each command with its
 * bare result. `v=3` (MEGA's C++ SDK and MEGAcmd send `&v=3` on every `cs` request, `src/megaclient.cpp`) ties each
 * mutating command to its action packets by a sequence tag `st`; the SDK parses the shapes in `src/request.cpp`,
 * `Request::process` / `Request::processSeqTag`.
 */
export type Dialect = 'legacy' | 'v3';

export function dialectOf(query: URLSearchParams): Dialect {
	return query.get('v') === '3' ? 'v3' : 'legacy';
}

/**
 * A `v=3` result:
 * - an error (negative number) stays a bare number (`Command::checkError`);
 * - a command that emitted packets tagged `st`: `"<st>"` when its result is 0, else `["<st>", result]`
 *   (the SDK waits until the `sc` channel has delivered the packets carrying that `st`, then runs `procresult`);
 * - a command that emitted nothing: a string result becomes `[0, "<string>"]` (a bare string would be read as a
 *   sequence tag and waited for forever), anything else stays as it is.
 */
export function shapeV3Result(result: unknown, seqTag: string | undefined): unknown {
	if (typeof result === 'number' && result < 0) return result;
	if (seqTag !== undefined) return result === 0 ? seqTag : [seqTag, result];
	if (typeof result === 'string') return [0, result];
	return result;
}

/** The packet with `st` placed right after `a` and `i`: `MegaClient::sc_checkActionPacket` reads `a`, `i`, `st` and stops at any other key. */
export function withSeqTag(packet: ActionPacket, seqTag: string): ActionPacket {
	const { a, i, ...rest } = packet;
	const out: ActionPacket = { a };
	if (i !== undefined) out.i = i;
	out.st = seqTag;
	return Object.assign(out, rest);
}

// Digits, then upper, then lower case: the alphabet in ASCII order, so that of two tags of the same length the later
// one is also the larger string. The SDK orders tags by length, then lexicographically (`Request::processSeqTag`).
const SEQ_TAG_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Sequence tag `n` (n >= 1): base 62 without leading zeros, so tags grow by length, then lexicographically. */
export function encodeSeqTag(n: bigint): string {
	let out = '';
	let rest = n;
	const base = BigInt(SEQ_TAG_ALPHABET.length);
	do {
		out = SEQ_TAG_ALPHABET[Number(rest % base)] + out;
		rest /= base;
	} while (rest > 0n);
	return out;
}

/**
 * The `ip` list MEGA sends beside storage URLs in `u` and `g` replies: an IPv4 and an IPv6 address per URL, which
 * MEGA's SDK puts in its DNS cache (`src/command.cpp` `Command::cacheresolvedurls`; without it it logs "Unpaired IPs
 * received"). The sandbox's storage host is 127.0.0.1, whose IPv6 form is the IPv4-mapped `::ffff:127.0.0.1`.
 */
export const STORAGE_HOST_IPS = ['127.0.0.1', '::ffff:127.0.0.1'];
