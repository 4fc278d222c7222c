import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  askCell,
  definitionMarkdown,
  errorText,
  filterTables,
  groupDefinitions,
  healthSummary,
  isReply,
  magicMimeType,
  slashParts,
  RequestBook,
  resettable,
  rowCount
} from '../src/logic';
import { HealthResult, KernelError, Table } from '../src/tokens';

function table(name: string, columns: string[], schema: string | null = null): Table {
  return {
    name, schema, comment: null, row_estimate: 10, primary_key: [columns[0]],
    columns: columns.map((c, i) => ({ name: c, type: 'INTEGER', nullable: i > 0, primary_key: i === 0, comment: null })),
    foreign_keys: []
  };
}

const TABLES = [table('customers', ['customer_id', 'email']), table('order_items', ['item_id', 'order_id']),
  table('orders', ['order_id', 'customer_id'])];

test('isReply accepts the two reply shapes of the contract and nothing else', () => {
  assert.ok(isReply({ id: 'a', ok: true, result: {} }));
  assert.ok(isReply({ id: null, ok: false, error: { message: 'no', hint: null, kind: 'ProtocolError' } }));
  for (const bad of [null, 'x', {}, { id: 1, ok: 'yes', result: {} }, { id: 1, ok: true }, { id: 1, ok: false },
    { ok: true, result: {} }, { id: 1, ok: false, error: { hint: null } }]) {
    assert.equal(isReply(bad), false, JSON.stringify(bad));
  }
});

test('RequestBook settles each request by id, rejects errors as KernelError', async () => {
  const book = new RequestBook('t');
  const first = book.open('schema');
  const second = book.open('health');
  assert.equal(first.id, 't-1');
  assert.equal(second.id, 't-2');
  assert.equal(book.settle({ id: 't-2', ok: false, error: { message: 'down', hint: 'start it', kind: 'X' } }), true);
  assert.equal(book.settle({ id: 't-1', ok: true, result: { tables: [] } }), true);
  assert.deepEqual(await first.reply, { tables: [] });
  await assert.rejects(second.reply, (error: unknown) => error instanceof KernelError && error.hint === 'start it');
  assert.equal(book.size, 0);
});

test('RequestBook ignores replies to nobody and rejects everything when the kernel goes', async () => {
  const book = new RequestBook('t');
  const pending = book.open('docs');
  assert.equal(book.settle({ id: 'other', ok: true, result: {} }), false);
  assert.equal(book.settle('garbage'), false);
  book.rejectAll('the kernel restarted');
  await assert.rejects(pending.reply, /docs: the kernel restarted/);
  assert.throws(() => book.open('drop' as any), /unknown op 'drop'/);
});

test('filterTables matches table names, then column names (expanded, only matching columns)', () => {
  assert.deepEqual(filterTables(TABLES, '').map(m => m.table.name), ['customers', 'order_items', 'orders']);
  assert.deepEqual(filterTables(TABLES, ' ORDER ').map(m => m.table.name), ['order_items', 'orders']);
  const byColumn = filterTables(TABLES, 'email');
  assert.equal(byColumn.length, 1);
  assert.equal(byColumn[0].expand, true);
  assert.deepEqual(byColumn[0].columns.map(c => c.name), ['email']);
  assert.deepEqual(filterTables(TABLES, 'customer_id').map(m => m.table.name), ['customers', 'orders']);
  assert.deepEqual(filterTables(TABLES, 'zzz'), []);
  assert.deepEqual(filterTables([table('sales', ['id'], 'mart')], 'mart.').map(m => m.table.name), ['sales']);
});

test('askCell writes a %%ask cell naming the (qualified) table', () => {
  assert.equal(askCell(TABLES[0]), '%%ask\nShow 10 rows of customers with their most useful columns');
  assert.match(askCell(table('sales', ['id'], 'mart')), /^%%ask\n.* mart\.sales /);
});

test('rowCount', () => {
  const cases: [number | null, string][] = [[null, ''], [-1, ''], [0, '0 rows'], [1, '1 row'], [999, '999 rows'],
    [1234, '1.2k rows'], [56789, '57k rows'], [2500000, '2.5M rows']];
  for (const [rows, text] of cases) {
    assert.equal(rowCount(rows), text);
  }
});

test('definitionMarkdown includes the SQL and tables when present', () => {
  const md = definitionMarkdown({ kind: 'metric', name: 'revenue', text: 'money', sql: 'SUM(x)', tables: ['t'] });
  assert.equal(md, '**revenue** _(metric)_\n\nmoney\n\n```sql\nSUM(x)\n```\n\nTables: `t`');
  assert.equal(definitionMarkdown({ kind: 'glossary', name: 'VIP', text: 'big', sql: null, tables: [] }),
    '**VIP** _(glossary)_\n\nbig');
});

test('health summary and resettable breakers', () => {
  const health = { mode: 'LIMITED_AI', score: null, breakers: [
    { name: 'database', state: 'CLOSED', failures: 0 }, { name: 'model', state: 'OPEN', failures: 3 },
    { name: 'index', state: 'HALF_OPEN', failures: 5 }] } as unknown as HealthResult;
  assert.equal(healthSummary(health), 'LIMITED_AI · score n/a');
  assert.equal(healthSummary({ ...health, score: 70 }), 'LIMITED_AI · score 70/100');
  assert.deepEqual(resettable(health), ['model', 'index']);
});

test('errorText shows the kernel hint after the message', () => {
  assert.equal(errorText(new KernelError({ message: 'gone.', hint: 'Reconnect.', kind: 'X' })), 'gone. Reconnect.');
  assert.equal(errorText(new Error('plain')), 'plain');
  assert.equal(errorText('text'), 'text');
});

test('groupDefinitions orders the kinds and drops empty groups', () => {
  const d = (kind: string, name: string) => ({ kind, name, text: name, sql: null, tables: [] });
  const groups = groupDefinitions([d('glossary', 'VIP'), d('metric', 'revenue'), d('custom', 'x'), d('metric', 'aov')]);
  assert.deepEqual(groups.map(g => [g.title, g.definitions.map(x => x.name)]),
    [['Metrics', ['revenue', 'aov']], ['Glossary', ['VIP']], ['custom', ['x']]]);
});

test('definitionMarkdown leaves out SQL the text already shows', () => {
  const md = definitionMarkdown({ kind: 'metric', name: 'n', text: 'n = COUNT(*) -- orders', sql: 'COUNT(*)', tables: [] });
  assert.equal(md, '**n** _(metric)_\n\nn = COUNT(*) -- orders');
});

test('magicMimeType gives %%ask bodies plain text and %%vsql bodies SQL, by the first line only', () => {
  assert.equal(magicMimeType('%%ask\nHow many orders in 2024?'), 'text/plain');
  assert.equal(magicMimeType('%%ask -o df --limit 5\nWhich 5 customers?'), 'text/plain');
  assert.equal(magicMimeType('%%vsql\nSELECT 1'), 'text/x-sql');
  assert.equal(magicMimeType('  %%vsql --limit 3'), 'text/x-sql');
  assert.equal(magicMimeType('%%asked\nx'), null, 'another magic whose name starts alike');
  assert.equal(magicMimeType('%ask How many?'), null, 'the line magic is Python around it');
  assert.equal(magicMimeType('x = 1\n%%vsql'), null);
  assert.equal(magicMimeType(''), null);
});

test('slashParts cuts after each slash run and keeps every character', () => {
  assert.deepEqual(slashParts('sqlite:////data/shop.db'), ['sqlite:////', 'data/', 'shop.db']);
  assert.deepEqual(slashParts('no slash'), ['no slash']);
  assert.deepEqual(slashParts('/a/'), ['/', 'a/']);
  for (const text of ['sqlite:////tmp/x-y/demo.sqlite', 'a//b', '']) {
    assert.equal(slashParts(text).join(''), text);
  }
});
