#!/usr/bin/env node
// The `llemma-train` command. The workspace is TypeScript run through tsx (as the repository's tests are), so there
// is no build step between editing the pipeline and running it. Importing 'tsx' registers its loaders for both
// module systems, exactly as `node --import tsx` does.
await import('tsx');
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
