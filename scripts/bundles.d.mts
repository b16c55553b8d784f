// Types of bundles.mjs for the TypeScript tests that import it.
import type { BuildOptions } from 'esbuild';

export declare const commonOptions: BuildOptions;
export declare const bundles: (BuildOptions & { entryPoints: string[]; outfile: string })[];
export declare const shippedPackages: { dir: string; licenseFile: string }[];
export declare const noticesFile: string;
