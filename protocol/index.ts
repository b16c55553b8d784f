export * from './commands';
export * from './errors';
export * from './requests';
export * from './settings';
