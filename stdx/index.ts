// Small generic pieces that JavaScript's standard library lacks, shared by the server, the model runtime and the
// training workspace (the idea of rust-analyzer's `stdx` crate). Nothing here knows of Lean, models or LSP.

export { MinHeap } from './minHeap';
export { mulberry32 } from './seededRandom';
