// Types of minif2fWorld.mjs, for the TypeScript tests.
export function minif2fProblems(variant?: string): { name: string; split: 'valid' | 'test'; statement: string }[];
export function goalOf(name: string): string;
export const minif2fCandidates: [string, number][];
export function minif2fWorld(
  plans: Record<string, 'proved' | 'twoSteps' | 'unproved' | 'killed' | 'slow'>,
  options?: { delayMs?: number },
): { theorems: Record<string, string>; tactics: Record<string, unknown> };
