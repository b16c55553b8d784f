/**
 * `Llemma: Run miniF2F Benchmark`, `Llemma: Create miniF2F Project` and `Llemma: Show miniF2F Report`. The run asks,
 * one quick pick at a time, for the variant, split, how many problems, model, budget, workers and Lean project, then
 * runs on the server with its `$/progress` in a cancellable notification; cancelled or done, the results file keeps
 * what finished and the report opens. Running the same choices again goes on where the file stopped. The runner, the
 * project check and the report are the server's: this file asks and displays.
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type LanguageClient, WorkDoneProgress } from 'vscode-languageclient/node';
import {
  createMiniF2FProject,
  LlemmaErrorCode,
  type MiniF2FLeanVariant,
  type MiniF2FSplitChoice,
  type MiniF2FVariant,
  miniF2FIsabelleVariant,
  miniF2FPaperBudget,
  miniF2FVariants,
  type RunMiniF2FParams,
  type RunMiniF2FResult,
  runMiniF2F,
  type SearchBudget,
} from '../protocol';
import { showReport } from './reportPanel';
import { describeModel, errorCode, isCancellation, reportError, reportNoServer } from './shared';

export interface MiniF2FContext {
  client: () => LanguageClient | undefined;
  output: vscode.OutputChannel;
  extensionUri: vscode.Uri;
}

type Choice<T> = vscode.QuickPickItem & { value: T };

const steps = 7;

export class MiniF2FCommands {
  private running = false;

  constructor(private readonly ctx: MiniF2FContext) {}

  async run(): Promise<void> {
    const client = this.ctx.client();
    if (!client) return reportNoServer();
    if (this.running) {
      void vscode.window.showInformationMessage('Llemma: a miniF2F run is going on; cancel it from its notification.');
      return;
    }
    const params = await this.ask();
    if (!params) return;
    this.running = true;
    try {
      await this.start(client, params);
    } finally {
      this.running = false;
    }
  }

  private async start(client: LanguageClient, params: Omit<RunMiniF2FParams, 'workDoneToken'>): Promise<void> {
    const out = this.ctx.output;
    const b = params.budget ?? miniF2FPaperBudget;
    out.appendLine(
      `miniF2F run: ${params.variant} ${params.split}${params.limit ? `, first ${params.limit}` : ''} · model ` +
        `${params.model ?? 'from the settings'} · ${b.candidatesPerExpansion} candidates × ${b.maxExpansions} expansions, ` +
        `${(b.timeLimitMs ?? 0) / 1000} s · ${params.workers} worker(s) · project ${params.projectRoot} · results ${params.out}`,
    );
    let result: RunMiniF2FResult | undefined;
    try {
      result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, cancellable: true, title: 'Llemma: miniF2F' },
        async (progress, token) => {
          const source = new vscode.CancellationTokenSource();
          const onCancel = token.onCancellationRequested(() => source.cancel());
          const workDoneToken = `llemma-minif2f-${randomUUID()}`;
          let last = 0;
          const onProgress = client.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
            if (value.kind === 'end') return;
            const increment = value.percentage !== undefined ? value.percentage - last : undefined;
            if (value.percentage !== undefined) last = value.percentage;
            progress.report({
              ...(value.message ? { message: value.message } : {}),
              ...(increment ? { increment } : {}),
            });
          });
          try {
            return await client.sendRequest(runMiniF2F, { ...params, workDoneToken }, source.token);
          } finally {
            onProgress.dispose();
            onCancel.dispose();
            source.dispose();
          }
        },
      );
    } catch (err) {
      if (!isCancellation(err)) {
        if (errorCode(err) === LlemmaErrorCode.ResultsFileError) {
          out.appendLine(`miniF2F run: ${err instanceof Error ? err.message : String(err)}`);
          const choice = await vscode.window.showWarningMessage(
            `Llemma: ${path.basename(params.out)} holds results of another run (see the output).`,
            'Use a New File',
          );
          if (choice)
            await this.start(client, { ...params, out: params.out.replace(/\.jsonl$/, `-${Date.now()}.jsonl`) });
          return;
        }
        await reportError(out, 'miniF2F run', err);
        return;
      }
      out.appendLine('miniF2F run: cancelled; the results file keeps what finished.');
    }
    if (result) {
      const p = result.progress;
      out.appendLine(
        `miniF2F run ${result.cancelled ? 'stopped' : 'done'}: ${p.solved} of ${p.tried} proved, ${p.left} left · ` +
          `model ${describeModel(result.model)} · ${result.out}`,
      );
      void vscode.window.showInformationMessage(
        `Llemma: miniF2F ${params.variant} ${params.split}: ${p.solved} of ${p.tried} proved` +
          `${p.left > 0 ? `, ${p.left} left (run it again to go on)` : ''}.`,
      );
    }
    try {
      await showReport(client, this.ctx.extensionUri, [params.out], out);
    } catch (err) {
      // A run cancelled before any problem ended has no report yet.
      if (result || errorCode(err) !== LlemmaErrorCode.ResultsFileError) await reportError(out, 'miniF2F report', err);
    }
  }

  /** The run's parameters, one quick pick at a time; undefined when the user stops. */
  private async ask(): Promise<Omit<RunMiniF2FParams, 'workDoneToken'> | undefined> {
    const variant = await pick<MiniF2FVariant>(1, 'Variant', [
      ...miniF2FVariants.map((v) => ({
        label: v.id,
        description: v.label,
        detail: `${v.leanToolchain} · Mathlib ${v.mathlibRevs[0]!.slice(0, 12)} · ${v.source}`,
        value: v.id,
      })),
      {
        label: miniF2FIsabelleVariant.id,
        description: miniF2FIsabelleVariant.label,
        detail: `${miniF2FIsabelleVariant.isabelle} (llemma.isabelle.path, llemma.isabelle.session) · ${miniF2FIsabelleVariant.source}`,
        value: miniF2FIsabelleVariant.id,
      },
    ]);
    if (!variant) return undefined;
    const split = await pick<MiniF2FSplitChoice>(2, 'Split', [
      { label: 'test', description: '244 problems: the split published results are on', value: 'test' },
      { label: 'valid', description: '244 problems', value: 'valid' },
      { label: 'both', description: '488 problems', value: 'both' },
    ]);
    if (!split) return undefined;
    const limit = await this.askLimit();
    if (limit === null) return undefined;
    const model = await this.askModel();
    if (model === null) return undefined;
    const budget = await askBudget();
    if (!budget) return undefined;
    const workers = await pick<number>(
      6,
      variant === miniF2FIsabelleVariant.id
        ? 'Workers: problems searched at once, each with an Isabelle server session of its own'
        : 'Workers: problems searched at once, each with a Lean REPL of its own (Mathlib loaded in each)',
      [1, 2, 4, 8].map((n) => ({
        label: String(n),
        description: `${n} prover process${n === 1 ? '' : 'es'}`,
        value: n,
      })),
    );
    if (!workers) return undefined;
    const projectRoot = variant === miniF2FIsabelleVariant.id ? await this.askFolder() : await this.askProject(variant);
    if (!projectRoot) return undefined;
    const modelTag = model === undefined ? 'settings-model' : model === 'embedded' ? 'embedded' : slug(model);
    const name = [
      variant,
      split,
      ...(limit !== undefined ? [`first${limit}`] : []),
      modelTag,
      `${budget.candidatesPerExpansion}x${budget.maxExpansions}x${budget.timeLimitMs / 1000}s`,
    ].join('-');
    return {
      variant,
      split,
      projectRoot,
      out: path.join(projectRoot, '.llemma', 'minif2f', `${name}.jsonl`),
      workers,
      ...(model !== undefined ? { model } : {}),
      budget,
      ...(limit !== undefined ? { limit } : {}),
    };
  }

  /** undefined: all problems; null: stopped. */
  private async askLimit(): Promise<number | undefined | null> {
    const choice = await pick<number | 'ask' | 'all'>(3, 'Problems', [
      { label: 'All', description: 'every problem of the split', value: 'all' },
      { label: 'First 5', description: 'a quick check of the set-up', value: 5 },
      { label: 'First 20', value: 20 },
      { label: 'First N…', value: 'ask' },
    ]);
    if (choice === undefined) return null;
    if (choice === 'all') return undefined;
    if (choice !== 'ask') return choice;
    const n = await vscode.window.showInputBox({
      title: title(3, 'Problems'),
      prompt: 'How many problems, from the start of the split',
      ignoreFocusOut: true,
      validateInput: (v) => (/^[1-9]\d*$/.test(v.trim()) ? undefined : 'a whole number above 0'),
    });
    return n === undefined ? null : Number(n.trim());
  }

  /** undefined: the settings' model; null: stopped. */
  private async askModel(): Promise<string | undefined | null> {
    const choice = await pick<'settings' | 'embedded' | 'folder' | 'url'>(4, 'Model', [
      {
        label: 'Model in the settings',
        description: 'as Complete Proof uses it (llemma.model.path)',
        value: 'settings',
      },
      { label: 'Embedded model', description: 'the small model shipped with the extension', value: 'embedded' },
      { label: 'Model folder…', description: 'e.g. a converted Llemma (docs/model-format.md)', value: 'folder' },
      { label: 'Model server URL…', description: 'an OpenAI-compatible server: vLLM, llama.cpp, Ollama', value: 'url' },
    ]);
    if (choice === undefined) return null;
    if (choice === 'settings') return undefined;
    if (choice === 'embedded') return 'embedded';
    if (choice === 'folder') {
      const folder = await vscode.window.showOpenDialog({
        canSelectFolders: true,
        canSelectFiles: false,
        openLabel: 'Use This Model',
        title: title(4, 'Model folder'),
      });
      return folder?.[0]?.fsPath ?? null;
    }
    const url = await vscode.window.showInputBox({
      title: title(4, 'Model server URL'),
      prompt: 'The server’s base URL, e.g. http://localhost:8000/v1#model=llemma_7b',
      ignoreFocusOut: true,
      validateInput: (v) => (/^https?:\/\/\S+$/.test(v.trim()) ? undefined : 'an http:// or https:// URL'),
    });
    return url === undefined ? null : url.trim();
  }

  /**
   * The Isabelle variant needs no Lean project: a folder the problems' theories and the results file are written
   * under (the workspace's first folder, or one chosen).
   */
  private async askFolder(): Promise<string | undefined> {
    const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const choice = await pick<string>(7, 'Folder for the theories and the results file', [
      ...(workspace ? [{ label: path.basename(workspace), description: workspace, value: workspace }] : []),
      { label: 'Choose folder…', value: ':choose' },
    ]);
    if (choice !== ':choose') return choice;
    const folder = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      openLabel: 'Use This Folder',
      title: title(7, 'Folder'),
    });
    return folder?.[0]?.fsPath;
  }

  /** The Lean project: one found in the workspace, another folder, or a new one written for the variant. */
  private async askProject(variant: MiniF2FLeanVariant): Promise<string | undefined> {
    const found = await vscode.workspace.findFiles('**/lean-toolchain', '**/{.lake,node_modules,.git}/**', 50);
    const folders = [...new Set(found.map((u) => path.dirname(u.fsPath)))].sort();
    const choice = await pick<string>(7, `Lean project with the ${variant} variant's Lean and Mathlib`, [
      ...folders.map((f) => ({ label: path.basename(f), description: f, value: f })),
      { label: 'Choose folder…', value: ':choose' },
      {
        label: 'Create a miniF2F project…',
        description: 'written for the variant; you build it once',
        value: ':create',
      },
    ]);
    if (choice === ':create') {
      await this.createProject(variant);
      return undefined;
    }
    if (choice !== ':choose') return choice;
    const folder = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      openLabel: 'Use This Project',
      title: title(7, 'Lean project'),
    });
    return folder?.[0]?.fsPath;
  }

  async createProject(preset?: MiniF2FLeanVariant): Promise<void> {
    const client = this.ctx.client();
    if (!client) return reportNoServer();
    const variant =
      preset ??
      (await pick<MiniF2FLeanVariant>(
        1,
        'Variant',
        miniF2FVariants.map((v) => ({ label: v.id, description: v.label, value: v.id })),
        'Create miniF2F Project',
      ));
    if (!variant) return;
    const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
    const folder = await vscode.window.showInputBox({
      title: 'Create miniF2F Project: folder',
      prompt: 'A new or empty folder for the Lean project',
      value: path.join(base, `minif2f-${variant}`),
      ignoreFocusOut: true,
      validateInput: (v) => (path.isAbsolute(v.trim()) ? undefined : 'an absolute path'),
    });
    if (!folder) return;
    try {
      const r = await client.sendRequest(createMiniF2FProject, { folder: folder.trim(), variant });
      this.ctx.output.appendLine(
        `miniF2F project (${variant}) written to ${r.folder}: ${r.files.join(', ')}; build it once with: ${r.buildSteps.join(' && ')}`,
      );
      const choice = await vscode.window.showInformationMessage(
        `Llemma: miniF2F project written to ${r.folder}. Build it once (${r.buildSteps.join(', ')}; Mathlib is ` +
          'downloaded, several GB), then run the benchmark on it.',
        'Build in Terminal',
      );
      if (choice) {
        const terminal = vscode.window.createTerminal({ name: 'miniF2F project', cwd: r.folder });
        terminal.show();
        terminal.sendText(r.buildSteps.join(' && '));
      }
    } catch (err) {
      await reportError(this.ctx.output, 'Create miniF2F Project', err);
    }
  }

  async showReport(): Promise<void> {
    const client = this.ctx.client();
    if (!client) return reportNoServer();
    const files = await vscode.window.showOpenDialog({
      canSelectMany: true,
      filters: { 'miniF2F results': ['jsonl'] },
      openLabel: 'Show Report',
      title: 'Show miniF2F Report: results files',
    });
    if (!files || files.length === 0) return;
    try {
      await showReport(
        client,
        this.ctx.extensionUri,
        files.map((f) => f.fsPath),
        this.ctx.output,
      );
    } catch (err) {
      await reportError(this.ctx.output, 'miniF2F report', err);
    }
  }
}

function title(step: number, what: string): string {
  return `Run miniF2F Benchmark (${step}/${steps}): ${what}`;
}

async function pick<T>(
  step: number,
  what: string,
  items: Choice<T>[],
  heading = title(step, what),
): Promise<T | undefined> {
  const chosen = await vscode.window.showQuickPick(items, {
    title: heading,
    ignoreFocusOut: true,
    matchOnDescription: true,
  });
  return chosen?.value;
}

async function askBudget(): Promise<SearchBudget | undefined> {
  const choice = await pick<'paper' | 'custom'>(5, 'Budget', [
    {
      label: 'Llemma paper',
      description: `${miniF2FPaperBudget.candidatesPerExpansion} candidates × ${miniF2FPaperBudget.maxExpansions} expansions, ${miniF2FPaperBudget.timeLimitMs / 1000} s per problem`,
      value: 'paper',
    },
    { label: 'Custom…', description: 'not comparable with published numbers', value: 'custom' },
  ]);
  if (choice === undefined) return undefined;
  if (choice === 'paper') return miniF2FPaperBudget;
  const spec = await vscode.window.showInputBox({
    title: title(5, 'Budget'),
    prompt: 'candidates per expansion, expansions, seconds per problem',
    value: '8, 10, 60',
    ignoreFocusOut: true,
    validateInput: (v) =>
      /^\s*[1-9]\d*\s*,\s*[1-9]\d*\s*,\s*[1-9]\d*\s*$/.test(v) ? undefined : 'three whole numbers',
  });
  if (spec === undefined) return undefined;
  const [c, e, t] = spec.split(',').map((x) => Number(x.trim()));
  return { candidatesPerExpansion: c!, maxExpansions: e!, timeLimitMs: t! * 1000 };
}

/** A model's folder name or server host as a file-name part. */
function slug(model: string): string {
  const name = /^https?:\/\//.test(model)
    ? model.replace(/^https?:\/\//, '').split(/[/#?]/)[0]!
    : (model.split(/[\\/]/).filter(Boolean).pop() ?? 'model');
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60);
}
