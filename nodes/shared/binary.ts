/**
 * Binary data in and out of n8n, streamed. In: `assertBinaryData`, then `getBinaryStream` when a binary-data manager
 * stored the file (it has an id), else the base64 buffer of in-memory mode. Out: `prepareBinaryData(stream, name, mime)`.
 * Never `getBinaryDataBuffer` for file bodies: that loads the whole file into memory.
 */
import { Readable } from 'node:stream';
import { BINARY_ENCODING, type IBinaryData, type IExecuteFunctions } from 'n8n-workflow';

/** Chunk size asked of n8n's binary stream; the consumer re-chunks anyway. */
const BINARY_STREAM_CHUNK = 256 * 1024;

export interface BinarySource {
	fileName?: string;
	mimeType?: string;
	fileExtension?: string;
	/** Size in bytes, known before reading. */
	size: number;
	/** n8n binary id (e.g. `filesystem-v2:…`) when a binary-data manager holds the file. */
	binaryId?: string;
	/** The bytes, when the binary is held in memory (n8n's `default` binary mode). */
	buffer?: Buffer;
	/** A fresh stream from byte 0 on every call, so a failed transfer can restart. */
	open(): Promise<Readable>;
}

export async function readBinaryInput(ctx: IExecuteFunctions, itemIndex: number, propertyName: string): Promise<BinarySource> {
	const binary = ctx.helpers.assertBinaryData(itemIndex, propertyName);
	if (binary.id) {
		const id = binary.id;
		const metadata = await ctx.helpers.getBinaryMetadata(id);
		return {
			fileName: binary.fileName ?? metadata.fileName,
			mimeType: binary.mimeType || metadata.mimeType,
			fileExtension: binary.fileExtension,
			size: Number(metadata.fileSize),
			binaryId: id,
			open: async () => await ctx.helpers.getBinaryStream(id, BINARY_STREAM_CHUNK),
		};
	}
	const buffer = Buffer.from(binary.data, BINARY_ENCODING);
	return {
		fileName: binary.fileName,
		mimeType: binary.mimeType,
		fileExtension: binary.fileExtension,
		size: buffer.length,
		buffer,
		open: async () => Readable.from([buffer]),
	};
}

/** Stores a stream (or Buffer) as n8n binary data without holding it in memory (outside n8n's in-memory mode). */
export async function writeBinaryOutput(ctx: IExecuteFunctions, body: Readable | Buffer, fileName: string, mimeType?: string): Promise<IBinaryData> {
	return await ctx.helpers.prepareBinaryData(body, fileName, mimeType);
}

const CONTENT_TYPES: Record<string, string> = {
	txt: 'text/plain', csv: 'text/csv', html: 'text/html', htm: 'text/html', css: 'text/css', md: 'text/markdown',
	js: 'text/javascript', mjs: 'text/javascript', json: 'application/json', xml: 'application/xml', yaml: 'application/yaml', yml: 'application/yaml',
	pdf: 'application/pdf', zip: 'application/zip', gz: 'application/gzip', tgz: 'application/gzip', tar: 'application/x-tar', '7z': 'application/x-7z-compressed',
	doc: 'application/msword', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
	xls: 'application/vnd.ms-excel', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
	ppt: 'application/vnd.ms-powerpoint', pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
	odt: 'application/vnd.oasis.opendocument.text', ods: 'application/vnd.oasis.opendocument.spreadsheet',
	png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', svg: 'image/svg+xml', ico: 'image/x-icon',
	bmp: 'image/bmp', tif: 'image/tiff', tiff: 'image/tiff', heic: 'image/heic', avif: 'image/avif',
	mp3: 'audio/mpeg', wav: 'audio/wav', ogg: 'audio/ogg', flac: 'audio/flac', m4a: 'audio/mp4',
	mp4: 'video/mp4', mov: 'video/quicktime', webm: 'video/webm', mkv: 'video/x-matroska', avi: 'video/x-msvideo',
	wasm: 'application/wasm', bin: 'application/octet-stream',
};

/** Content type from a file name's extension; `application/octet-stream` when unknown. */
export function contentTypeFromFileName(fileName: string | undefined): string {
	const ext = fileName?.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
	return (ext && CONTENT_TYPES[ext]) || 'application/octet-stream';
}
