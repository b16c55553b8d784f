/**
 * The loss curve of a run as a PNG, drawn from the trainer's loss.jsonl: train loss (a line, one point per logged
 * step) and held-out loss (dots joined by a line) against the step, with labelled axes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { runFiles } from '../run/layout';
import { Raster, type Rgb } from './png';

export interface LossRecord {
  step: number;
  split: 'train' | 'heldout';
  loss: number;
  lr?: number;
  tokens?: number;
  target_tokens?: number;
  elapsed_s?: number;
}

export function readLossLog(file: string): LossRecord[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as LossRecord);
}

/** out/<run>/train/loss.png drawn from the run's loss.jsonl; returns the PNG's path. */
export function drawLossPng(runDir: string): string {
  const files = runFiles(runDir);
  writeFileSync(files.lossPng, drawLossCurve(readLossLog(files.lossLog)));
  return files.lossPng;
}

/** About `count` round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

const blue: Rgb = [31, 119, 180];
const orange: Rgb = [230, 110, 20];
const grey: Rgb = [200, 200, 200];
const black: Rgb = [0, 0, 0];

export function drawLossCurve(records: readonly LossRecord[], width = 900, height = 540): Buffer {
  const img = new Raster(width, height);
  const left = 90;
  const right = width - 30;
  const top = 50;
  const bottom = height - 70;
  const train = records.filter((r) => r.split === 'train' && Number.isFinite(r.loss));
  const held = records.filter((r) => r.split === 'heldout' && Number.isFinite(r.loss));
  const all = [...train, ...held];
  if (all.length === 0) {
    img.text(left, top, 'no losses logged', black);
    return img.png();
  }
  const maxStep = Math.max(...all.map((r) => r.step), 1);
  const lo = Math.min(...all.map((r) => r.loss));
  const hi = Math.max(...all.map((r) => r.loss));
  const pad = (hi - lo) * 0.05 || 0.5;
  const yLo = Math.max(0, lo - pad);
  const yHi = hi + pad;
  const x = (step: number) => left + ((right - left) * step) / maxStep;
  const y = (loss: number) => bottom - ((bottom - top) * (loss - yLo)) / (yHi - yLo);

  for (const v of ticks(yLo, yHi)) {
    img.line(left, y(v), right, y(v), grey);
    const label = String(v);
    img.text(left - 10 - img.textWidth(label), y(v) - 7, label, black);
  }
  for (const s of ticks(0, maxStep)) {
    img.line(x(s), bottom, x(s), bottom + 6, black);
    const label = String(s);
    img.text(x(s) - img.textWidth(label) / 2, bottom + 12, label, black);
  }
  img.line(left, top, left, bottom, black, 2);
  img.line(left, bottom, right, bottom, black, 2);
  img.text((left + right) / 2 - img.textWidth('step') / 2, bottom + 38, 'step', black);
  img.text(10, top - 35, 'loss (nats per target token)', black);

  const polyline = (points: readonly LossRecord[], c: Rgb) => {
    for (let i = 1; i < points.length; i++) {
      const a = points[i - 1] as LossRecord;
      const b = points[i] as LossRecord;
      img.line(x(a.step), y(a.loss), x(b.step), y(b.loss), c, 2);
    }
  };
  polyline(train, blue);
  polyline(held, orange);
  for (const r of held) img.dot(x(r.step), y(r.loss), orange);

  const legendX = right - 260;
  img.line(legendX, top + 8, legendX + 30, top + 8, blue, 3);
  img.text(legendX + 40, top + 1, 'train', black);
  img.line(legendX, top + 32, legendX + 30, top + 32, orange, 3);
  img.dot(legendX + 15, top + 32, orange);
  img.text(legendX + 40, top + 25, 'held-out', black);
  return img.png();
}
