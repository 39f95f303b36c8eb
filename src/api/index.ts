export * from './constants.ts';
export * from './meta.ts';
export * from './externalsecret.ts';
export * from './clusterexternalsecret.ts';
export * from './secretstore.ts';
export * from './providers/azurekv.ts';
export * from './providers/fake.ts';
export * from './generators.ts';
