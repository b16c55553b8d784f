/**
 * The gate between VS Code's settings and the server for the workspace-restricted keys (decisions in
 * `workspaceSettings.ts`). The server reads its settings only through `workspace/configuration`, so the language
 * client's configuration middleware is the one place where a workspace value can be held back: the server is answered
 * at once with the user's value, the user is asked in a modal dialog, and after "Allow" the server is told to pull its
 * settings again. Answers are remembered per workspace (`workspaceState`), keyed by the exact value.
 */
import * as vscode from 'vscode';
import type { Middleware } from 'vscode-languageclient/node';
import { settingsSection, workspaceRestrictedKeys } from '../protocol';
import {
  type Answers,
  allowButton,
  approvalQuestion,
  decide,
  fingerprint,
  type Pending,
  pathInSection,
  readAnswers,
  recordAnswer,
  replaceAt,
  useMineButton,
} from './workspaceSettings';

const answersKey = 'llemma.workspaceSettingAnswers';

export class SettingsApproval {
  /** `key=value` asked in this session; one closed without an answer is asked again in the next session only. */
  private readonly asked = new Set<string>();
  /** `key=value` already written to the output channel as withheld, so a setting pull does not repeat the line. */
  private readonly logged = new Set<string>();

  constructor(
    private readonly state: vscode.Memento,
    private readonly output: vscode.OutputChannel,
    /** Tells the running server to pull its settings again (after an approval). */
    private readonly pullAgain: () => void,
  ) {}

  middleware(): NonNullable<Middleware['workspace']> {
    return {
      configuration: async (params, token, next) => {
        const result = await next(params, token);
        if (!Array.isArray(result)) return result;
        return params.items.map((item, i) => this.filter(item.section ?? undefined, item.scopeUri, result[i]));
      },
    };
  }

  /** The configuration value for one requested section, with every unapproved workspace value replaced. */
  private filter(section: string | undefined, scopeUri: string | undefined, value: unknown): unknown {
    const scope = scopeUri ? vscode.Uri.parse(scopeUri) : undefined;
    const config = vscode.workspace.getConfiguration(settingsSection, scope);
    const answers = readAnswers(this.state.get(answersKey));
    const toAsk: Pending[] = [];
    let out = value;
    for (const key of workspaceRestrictedKeys) {
      const path = pathInSection(section, key);
      if (!path) continue;
      const decision = decide(key, config.inspect(key) ?? {}, answers);
      if (decision.kind !== 'withheld') continue;
      out = replaceAt(out, path, decision.fallback);
      const id = `${key}=${fingerprint(decision.workspaceValue)}`;
      if (!this.logged.has(id)) {
        this.logged.add(id);
        this.output.appendLine(
          `This workspace sets llemma.${key} to ${fingerprint(decision.workspaceValue)}; it is not used until you ` +
            `allow it, so Llemma uses ${fingerprint(decision.fallback)} (your setting or the default).`,
        );
      }
      if (decision.ask && !this.asked.has(id)) toAsk.push({ key, value: decision.workspaceValue });
    }
    if (toAsk.length > 0) void this.ask(toAsk);
    return out;
  }

  private async ask(pending: Pending[]): Promise<void> {
    const ids = pending.map((p) => `${p.key}=${fingerprint(p.value)}`);
    for (const id of ids) this.asked.add(id);
    const { message, detail } = approvalQuestion(pending);
    // "Use My Settings" comes first, so that Enter, the dialog's default, does not run what the repository names.
    const button = await vscode.window.showWarningMessage(message, { modal: true, detail }, useMineButton, allowButton);
    const before: Answers = readAnswers(this.state.get(answersKey));
    await this.state.update(answersKey, recordAnswer(before, pending, button));
    if (button === undefined) return;
    const verb = button === allowButton ? 'allowed' : 'declined';
    for (const p of pending)
      this.output.appendLine(`You ${verb} this workspace's llemma.${p.key} = ${fingerprint(p.value)}.`);
    if (button === allowButton) this.pullAgain();
  }
}
