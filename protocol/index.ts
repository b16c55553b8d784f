export * from './benchmark';
export * from './commands';
export * from './displayText';
export * from './errors';
export * from './languages';
export * from './requests';
export * from './settings';
