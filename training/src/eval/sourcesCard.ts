/**
 * The candidate-source tables in a model card, written only when asked (`evalSources.card`): one block per report
 * (its file's name), between markers, so that an eval-sources run replaces its own block and nothing else, and an
 * export (run/modelCard.ts) carries the blocks over into the card it writes.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { type SourcesReport, setSection } from './sourcesReport';

const begin = (name: string) => `<!-- eval-sources:${name} begin -->`;
const end = (name: string) => `<!-- eval-sources:${name} end -->`;
const block = /<!-- eval-sources:([\w.-]+) begin -->\n[\s\S]*?<!-- eval-sources:\1 end -->\n?/g;

/** The card's block for one report: what it was measured on, then each step set's tables. */
export function sourcesCardBlock(report: SourcesReport, name: string): string {
  const where = report.split === 'heldout' ? 'held-out files' : 'held-aside training files';
  const lines = [
    begin(name),
    `## Candidate sources on the ${where}: ${report.sets.map((s) => s.name).join(' and ')} (\`${name}\`)`,
    '',
    `Run \`${report.run}\`; ${report.sources.join(', ') || 'all sources'}; retrieval index of ${report.index.entries} ` +
      `goals; ${report.model ? `the model folder's neural model asked on ${report.model.contexts} steps` : 'the neural model not asked'}` +
      `${report.sampledFrom ? `; a sample of ${report.sampledFrom} steps` : ''}. Exact match (whitespace normalised) of ` +
      'the tactic written, no Lean: a different tactic that also works counts as wrong.',
    '',
    ...report.sets.flatMap((set) => setSection(set).map((l) => l.replace(/^## /, '### '))),
    end(name),
  ];
  return `${lines.join('\n')}\n`;
}

/** Writes `text` (a block) into the card, replacing the block of the same name or adding it at the end. */
export function writeSourcesCardBlock(cardFile: string, name: string, text: string): void {
  const card = existsSync(cardFile) ? readFileSync(cardFile, 'utf8') : '';
  const at = card.indexOf(begin(name));
  if (at >= 0) {
    const stop = card.indexOf(end(name), at);
    const after = stop < 0 ? card.length : stop + end(name).length + 1;
    writeFileSync(cardFile, card.slice(0, at) + text + card.slice(after));
  } else {
    writeFileSync(cardFile, `${card.replace(/\n*$/, '\n\n')}${text}`);
  }
}

/** The eval-sources blocks of a card's text, in order ('' when it has none). */
export function sourcesCardBlocks(card: string): string {
  return (card.match(block) ?? []).map((b) => (b.endsWith('\n') ? b : `${b}\n`)).join('\n');
}
