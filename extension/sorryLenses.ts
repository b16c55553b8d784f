/**
 * A "Llemma: Complete Proof" CodeLens above each tactic `sorry`: a line whose code is just `sorry`, or that ends in
 * `by sorry`. A plain text scan: `--` and `/- … -/` comments and string literals are skipped, nothing else is parsed.
 * In Restricted Mode there are none (the search could not run); they appear when the folder is trusted.
 */
import * as vscode from 'vscode';
import { Commands } from '../protocol';

export function registerSorryLenses(): vscode.Disposable {
  const lenses = new SorryLenses();
  return vscode.Disposable.from(
    lenses,
    vscode.languages.registerCodeLensProvider({ language: 'lean4', scheme: 'file' }, lenses),
    vscode.workspace.onDidGrantWorkspaceTrust(() => lenses.refresh()),
  );
}

export class SorryLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  refresh(): void {
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.isTrusted) return [];
    return findSorries(document.getText()).map(
      (p) =>
        new vscode.CodeLens(new vscode.Range(p.line, p.character, p.line, p.character + 5), {
          title: 'Llemma: Complete Proof',
          tooltip: 'Search for a proof with the model and Lean, and replace this sorry with it',
          command: Commands.completeProof,
          arguments: [document.uri.toString(), { line: p.line, character: p.character }],
        }),
    );
  }
}

/** Positions (0-based line, UTF-16 column) of the `sorry` of each line that is `sorry` or ends in `by sorry`. */
export function findSorries(text: string): { line: number; character: number }[] {
  const found: { line: number; character: number }[] = [];
  let depth = 0; // nesting depth of `/- … -/` comments carried across lines
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    let code = '';
    let inString = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      const two = line.slice(i, i + 2);
      if (depth > 0) {
        if (two === '/-') depth++;
        else if (two === '-/') depth--;
        else {
          code += ' ';
          continue;
        }
        code += '  ';
        i++;
      } else if (inString) {
        if (c === '\\') {
          code += '  ';
          i++;
        } else {
          if (c === '"') inString = false;
          code += ' ';
        }
      } else if (two === '--') {
        break;
      } else if (two === '/-') {
        depth = 1;
        code += '  ';
        i++;
      } else {
        if (c === '"') inString = true;
        code += c === '"' ? ' ' : c;
      }
    }
    const trimmed = code.trimEnd();
    if (trimmed.trim() === 'sorry' || /(^|[\s(])by\s+sorry$/.test(trimmed)) {
      found.push({ line: n, character: trimmed.length - 'sorry'.length });
    }
  }
  return found;
}
