import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/** The machine files megatools' namespace covers with bind mounts: they must never change. */
const WATCHED = ['/etc/hosts', '/etc/ssl/certs'];

/**
 * A map from each path (the watched files and everything under the watched directories) to a description of its
 * content: sha256 of a file, the target of a symbolic link, "dir" for a directory. Equal maps = byte-identical.
 */
export async function fingerprintMachineTrustFiles(): Promise<Record<string, string>> {
	const fingerprint: Record<string, string> = {};
	const visit = async (path: string): Promise<void> => {
		const stats = await lstat(path).catch(() => undefined);
		if (!stats) fingerprint[path] = 'missing';
		else if (stats.isSymbolicLink()) fingerprint[path] = `link -> ${await readlink(path)}`;
		else if (stats.isDirectory()) {
			fingerprint[path] = 'dir';
			for (const name of (await readdir(path)).sort()) await visit(join(path, name));
		} else fingerprint[path] = `sha256 ${createHash('sha256').update(await readFile(path)).digest('hex')}`;
	};
	for (const path of WATCHED) await visit(path);
	return fingerprint;
}
