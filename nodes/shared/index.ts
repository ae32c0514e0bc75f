export * from './binary';
export * from './errors';
export * from './mega-client';
export * from './mega-locators';
export * from './operation-router';
export * from './descriptions';
