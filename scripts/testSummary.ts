// The arithmetic of `npm test`'s closing lines, apart from the script that runs the stages so that it can be tested.

export interface StageCounts {
  passed: number;
  failed: number;
  /** One entry per skipped test: its name and the reason it gave. */
  skipped: string[];
}

export interface StageResult extends StageCounts {
  name: string;
  /** Whether the stage's process exited with status 0. */
  ok: boolean;
  seconds: number;
}

/**
 * The Node test runner's TAP summary. A cancelled test (its file crashed, or it outlived its timeout) is a failure,
 * and every skipped test (`ok N - name # SKIP why`, at any depth) is kept with its reason. A TAP file without a
 * summary means the runner died: that is a failure too.
 */
export function tapCounts(tap: string): StageCounts {
  const n = (key: string) => tap.match(new RegExp(`^# ${key} (\\d+)$`, 'm'))?.[1];
  if (n('pass') === undefined) return { passed: 0, failed: 1, skipped: [] };
  const skipped = [...tap.matchAll(/^\s*ok \d+ - (.*?) # SKIP\b ?(.*)$/gm)].map(
    (m) => `${m[1]} (${m[2]?.trim() || 'no reason given'})`,
  );
  return { passed: Number(n('pass')), failed: Number(n('fail') ?? 0) + Number(n('cancelled') ?? 0), skipped };
}

/** The end-to-end runner's last `N passed, M failed` line; none at all is a failure. */
export function e2eCounts(out: string): StageCounts {
  const m = [...out.matchAll(/^(\d+) passed, (\d+) failed/gm)].pop();
  return m ? { passed: Number(m[1]), failed: Number(m[2]), skipped: [] } : { passed: 0, failed: 1, skipped: [] };
}

/**
 * One line per stage, the skipped tests with their reasons, and the closing `tests: N passed, M failed, K skipped`.
 * A stage that exits non-zero fails even if its own counts said otherwise (it crashed before running its tests).
 */
export function summaryLines(stages: readonly StageResult[]): {
  text: string;
  passed: number;
  failed: number;
  skipped: number;
} {
  let passed = 0;
  let failed = 0;
  const skipped: string[] = [];
  const lines: string[] = [];
  for (const s of stages) {
    const stageFailed = !s.ok && s.failed === 0 ? 1 : s.failed;
    passed += s.passed;
    failed += stageFailed;
    skipped.push(...s.skipped.map((why) => `  ${s.name}: ${why}`));
    const skips = s.skipped.length > 0 ? `, ${s.skipped.length} skipped` : '';
    lines.push(
      `${s.name}: ${s.ok ? 'ok' : 'FAILED'} (${s.passed} passed, ${stageFailed} failed${skips}, ${s.seconds.toFixed(1)} s)`,
    );
  }
  const skipList = skipped.length > 0 ? `\nskipped:\n${skipped.join('\n')}\n` : '';
  const text = `\n${lines.join('\n')}\n${skipList}\ntests: ${passed} passed, ${failed} failed, ${skipped.length} skipped\n`;
  return { text, passed, failed, skipped: skipped.length };
}
