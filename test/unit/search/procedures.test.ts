// The decision procedures the merged generator tries on every goal pass the tactic screen as they are, and the
// shipped model's table is the runtime's fallback table, so that a folder without sources.json gets the same ones.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { defaultSourceTables, parseSourceTables, sourceTablesFileName } from '../../../model/src/sourceTables';
import { screenTactic } from '../../../server/search/tacticFilter';

const shipped = path.join(__dirname, '..', '..', '..', 'model', 'default', sourceTablesFileName);

test('every procedure, shipped or fallback, passes the tactic screen unchanged (native_decide not allowed)', () => {
  const tables = parseSourceTables(readFileSync(shipped, 'utf8'), shipped);
  assert.ok(tables.procedures.length > 0);
  for (const { tactic } of [...tables.procedures, ...defaultSourceTables.procedures]) {
    const screened = screenTactic(tactic, { allowNativeDecide: false });
    assert.ok(screened.ok, `${tactic}: ${screened.ok ? '' : screened.reason}`);
    assert.equal(screened.tactic, tactic);
  }
});

test("the runtime's fallback tables are the shipped model's sources.json", () => {
  assert.deepEqual(parseSourceTables(readFileSync(shipped, 'utf8'), shipped), defaultSourceTables);
});
