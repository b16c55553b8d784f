// The choices of how a model runs, as plain values: where it runs (execution providers), where beam search runs (the
// generation graph) and how long a candidate may grow. This module imports nothing, so a front end can check a
// user's flags and settings against these lists without loading ONNX Runtime.

/** The execution providers, in the order `auto` tries them: CUDA, then WebGPU, then CPU. */
export const executionProviderNames = ['cuda', 'webgpu', 'cpu'] as const;
export type ExecutionProviderName = (typeof executionProviderNames)[number];

/**
 * Reads `auto` (or nothing) or a comma-separated list of providers (`cuda,cpu`), as `--ep` and
 * `model.executionProvider` spell them. Names that are not providers come back in `unknown`, for the caller's message.
 */
export function readExecutionProviders(text: string): {
  providers: 'auto' | ExecutionProviderName[];
  unknown: string[];
} {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'auto') return { providers: 'auto', unknown: [] };
  const names = trimmed
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const known = (n: string): n is ExecutionProviderName => (executionProviderNames as readonly string[]).includes(n);
  return { providers: names.filter(known), unknown: names.filter((n) => !known(n)) };
}

/** When beam search runs in generation.onnx: "auto" on CUDA only, "on" always (the file must exist), "off" never. */
export const generationGraphModes = ['auto', 'on', 'off'] as const;
export type GenerationGraphMode = (typeof generationGraphModes)[number];

export function isGenerationGraphMode(mode: string): mode is GenerationGraphMode {
  return (generationGraphModes as readonly string[]).includes(mode);
}

/** New tokens per candidate unless a caller says otherwise: the Llemma search's setting. */
export const defaultMaxNewTokens = 256;

/**
 * Where candidate tactics come from, in the order the merged generator lists them when scores tie: `retrieval` (the
 * tactics of the most similar known goals, from the model folder's retrieval.bin), `file` (the tactics of the most
 * similar goals stated in the file above the proof: earlier theorems' first tactics, `have`/`show`/`calc` blocks),
 * `model` (the neural model), and `procedures` (decision procedures chosen from data, tried on every goal).
 * `model.sources` and `--sources` choose among them; `auto` is `autoTacticSources`.
 */
export const tacticSourceNames = ['retrieval', 'file', 'model', 'procedures'] as const;
export type TacticSourceName = (typeof tacticSourceNames)[number];

export function isTacticSourceName(name: string): name is TacticSourceName {
  return (tacticSourceNames as readonly string[]).includes(name);
}

/**
 * The sources `auto` asks. All four for a model the user names (a converted Llemma, a server). For the embedded
 * model, retrieval, the file and the procedures: on held-aside and held-out steps the embedded model adds no
 * exact-match hits to them (model/default/MODEL_CARD.md) and costs ~0.4 s a goal on 2 CPU cores, so it is asked only
 * when listed.
 */
export function autoTacticSources(embeddedModel: boolean): TacticSourceName[] {
  return embeddedModel ? ['retrieval', 'file', 'procedures'] : [...tacticSourceNames];
}

/**
 * Reads `auto` (or nothing: `auto`, resolved by `autoTacticSources` where the model is known) or a comma-separated
 * list of sources (`retrieval,model`), as `--sources` and `model.sources` spell them, into the list of sources to use
 * (in the order of `tacticSourceNames`, each once). Names that are not sources come back in `unknown`, for the
 * caller's message.
 */
export function readTacticSources(text: string): { sources: TacticSourceName[] | 'auto'; unknown: string[] } {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'auto') return { sources: 'auto', unknown: [] };
  const names = trimmed
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    sources: tacticSourceNames.filter((n) => names.includes(n)),
    unknown: names.filter((n) => !isTacticSourceName(n)),
  };
}
