// Types of thirdPartyNotices.mjs for the TypeScript tests that import it.
import type { Metafile } from 'esbuild';

export declare function packageDirOf(input: string): string | undefined;
export declare function bundledPackageDirs(metafiles: Metafile[]): string[];
export declare function describePackage(
  root: string,
  dir: string,
  licenseFile?: string,
): { name: string; version: string; license: string; text: string };
export declare function thirdPartyNotices(
  root: string,
  metafiles: Metafile[],
  shipped: { dir: string; licenseFile: string }[],
): string;
