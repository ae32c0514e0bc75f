export * from './binary';
export * from './errors';
