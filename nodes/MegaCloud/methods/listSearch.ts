import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { getMegaClient, MEGA_WEB_APP_URL, toNodeError } from '../../shared';

const PAGE = 100;

/** listSearch: what is at the top of the Rubbish Bin (and below it), by //bin path, 100 per page. */
export async function searchMegaRubbishBin(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	try {
		const client = await getMegaClient(this);
		const tree = await client.tree();
		const entries = tree.descendants(tree.rubbishHandle);
		await tree.prepareNames(entries);
		const needle = filter?.trim().toLowerCase() ?? '';
		const matches = entries
			.map((entry) => ({ name: tree.pathOf(entry), value: entry.h, url: `${MEGA_WEB_APP_URL}${entry.h}` }))
			.filter((entry) => needle === '' || entry.name.toLowerCase().includes(needle))
			.sort((a, b) => a.name.localeCompare(b.name));
		const offset = Math.max(0, Number.parseInt(paginationToken ?? '0', 10) || 0);
		const next = offset + PAGE < matches.length ? String(offset + PAGE) : undefined;
		return { results: matches.slice(offset, offset + PAGE), ...(next ? { paginationToken: next } : {}) };
	} catch (error) {
		throw toNodeError(this.getNode(), error, 0);
	}
}
