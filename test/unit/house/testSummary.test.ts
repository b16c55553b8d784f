// The closing line of `npm test`: cancelled tests are failures and skipped tests are shown with their reasons.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { e2eCounts, summaryLines, tapCounts } from '../../../scripts/testSummary';

const tap = `TAP version 13
# Subtest: a file
    ok 1 - runs
    ok 2 - needs the data folder # SKIP shared/data is not on this machine
    not ok 3 - never finished
      ---
      failureType: 'cancelledByParent'
      ...
ok 4 - plain skip # SKIP
1..4
# tests 4
# suites 1
# pass 1
# fail 0
# cancelled 26
# skipped 2
# todo 0
`;

test('cancelled tests count as failed and skips keep their reasons', () => {
  const c = tapCounts(tap);
  assert.equal(c.passed, 1);
  assert.equal(c.failed, 26);
  assert.deepEqual(c.skipped, [
    'needs the data folder (shared/data is not on this machine)',
    'plain skip (no reason given)',
  ]);
});

test('a TAP file without a summary is a failure', () => {
  assert.deepEqual(tapCounts('TAP version 13\nok 1 - half\n'), { passed: 0, failed: 1, skipped: [] });
  assert.deepEqual(e2eCounts('code-server did not start\n'), { passed: 0, failed: 1, skipped: [] });
  assert.deepEqual(e2eCounts('3 passed, 0 failed\n5 passed, 1 failed\n'), { passed: 5, failed: 1, skipped: [] });
});

test('the closing line shows skips, and a stage that crashed fails even with zero failures counted', () => {
  const { text, passed, failed, skipped } = summaryLines([
    { name: 'node tests', ok: true, seconds: 1, ...tapCounts(tap.replace('# cancelled 26', '# cancelled 0')) },
    { name: 'e2e', ok: false, seconds: 2, passed: 0, failed: 0, skipped: [] },
  ]);
  assert.deepEqual({ passed, failed, skipped }, { passed: 1, failed: 1, skipped: 2 });
  assert.match(text, /^tests: 1 passed, 1 failed, 2 skipped$/m);
  assert.match(text, /^ {2}node tests: needs the data folder \(shared\/data is not on this machine\)$/m);
  assert.match(text, /^e2e: FAILED \(0 passed, 1 failed, 2\.0 s\)$/m);
});
