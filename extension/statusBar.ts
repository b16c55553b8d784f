/**
 * One status bar item for the server and the prover. Its text always contains "Llemma" and the state in words
 * (`Llemma: ready`, `Llemma: Lean ready`, `Llemma: Lean failed`), which is also what end-to-end tests wait for.
 */
import * as vscode from 'vscode';
import { Commands, type ProverStatusParams } from '../protocol';

const icons: Record<ProverStatusParams['state'], string> = {
  starting: '$(sync~spin)',
  ready: '$(check)',
  busy: '$(sync~spin)',
  restarting: '$(sync~spin)',
  failed: '$(error)',
  stopped: '$(circle-slash)',
};

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('llemma.status', vscode.StatusBarAlignment.Left, 0);

  constructor() {
    this.item.name = 'Llemma';
    this.item.command = Commands.showOutput;
    this.item.show();
  }

  serverStarting(): void {
    this.set('$(sync~spin) Llemma: starting', 'Llemma: the language server is starting');
  }

  /** Nothing started: the workspace is not trusted. A click opens VS Code's workspace trust editor. */
  restricted(tooltip: string): void {
    this.set('$(shield) Llemma: Restricted Mode', `${tooltip}\nClick to manage workspace trust.`);
    this.item.command = 'workbench.trust.manage';
  }

  serverReady(): void {
    this.set('$(check) Llemma: ready', 'Llemma: the language server is running; no Lean REPL started yet');
  }

  serverFailed(message: string): void {
    this.set('$(error) Llemma: server failed', `Llemma: the language server failed: ${message}`);
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
  }

  prover(p: ProverStatusParams): void {
    const isabelle = p.prover === 'isabelle';
    const lines = isabelle
      ? [
          `Isabelle server: ${p.state}`,
          `Session: ${p.projectRoot.replace(/^isabelle:/, '')}`,
          `Release: ${p.toolchain ?? 'not known yet'}`,
        ]
      : [
          `Lean REPL: ${p.state}`,
          `Project: ${p.projectRoot}`,
          `Toolchain: ${p.toolchain ?? 'unknown (no lean-toolchain file)'}`,
        ];
    if (p.message) lines.push('', p.message);
    this.set(`${icons[p.state]} Llemma: ${isabelle ? 'Isabelle' : 'Lean'} ${p.state}`, lines.join('\n'));
    this.item.backgroundColor =
      p.state === 'failed' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  private set(text: string, tooltip: string): void {
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.command = Commands.showOutput;
    this.item.backgroundColor = undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
