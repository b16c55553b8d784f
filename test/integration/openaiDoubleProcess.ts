// The OpenAI-compatible model double (test/doubles/openaiDouble.mjs) as a process of its own, for the tests that
// point the product at a model server: started on a rules file, its URL read from the line it prints.
import { spawn } from 'node:child_process';
import * as path from 'node:path';

export const openaiDouble = path.resolve(import.meta.dirname, '..', 'doubles', 'openaiDouble.mjs');

/** Starts the double on `rulesFile` (logging to `log` if given); its URL as a `model.path` value, and a stop. */
export async function startOpenAIDouble(rulesFile: string, log?: string): Promise<{ url: string; stop: () => void }> {
  const model = spawn(process.execPath, [openaiDouble, '--rules', rulesFile, ...(log ? ['--log', log] : [])], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    model.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^listening (\d+)\n/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    model.on('exit', (code) => reject(new Error(`the model double exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/v1#model=double&prompt_format=llemma-fewshot`,
    stop: () => model.stdin?.end(),
  };
}
