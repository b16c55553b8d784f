/**
 * The environment variables Llemma honours, read here and nowhere else: both front ends (the language server and the
 * `llemma` CLI) take them from this one function. An empty variable counts as unset.
 */
export interface EnvironmentOverrides {
  /** `LLEMMA_REPL`: the command line that starts the Lean REPL; it beats the settings. */
  repl?: string;
  /** `LLEMMA_MODEL`: the model folder or server URL used when no model is configured. */
  model?: string;
}

export function environmentOverrides(env: NodeJS.ProcessEnv = process.env): EnvironmentOverrides {
  return {
    ...(env['LLEMMA_REPL'] ? { repl: env['LLEMMA_REPL'] } : {}),
    ...(env['LLEMMA_MODEL'] ? { model: env['LLEMMA_MODEL'] } : {}),
  };
}
