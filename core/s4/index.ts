/** MEGA S4 (S3-compatible) core: no n8n imports below this line. */
export * from './errors';
export * from './regions';
export * from './names';
export * from './client';
export * from './upload';
export * from './download';
export * from './presign';
export * from './list';
export * from './objects';
export * from './buckets';
