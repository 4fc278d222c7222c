import assert from 'node:assert/strict';
import { test } from 'node:test';

import { COMM_TARGET, KernelError, Op, OpArgs, OPS } from '../src/tokens';

// Compile-time check: OPS lists exactly the keys of OpArgs.
type Missing = Exclude<keyof OpArgs, (typeof OPS)[number]>;
const noneMissing: Missing extends never ? true : false = true;

test('the comm target and the ops are the ones the kernel registers', () => {
  assert.equal(COMM_TARGET, 'vanna_magic');
  assert.ok(noneMissing);
  const expected: Op[] = ['schema', 'docs', 'search', 'health', 'breaker_reset'];
  assert.deepEqual([...OPS], expected);
});

test('KernelError is an Error carrying the kernel hint and kind', () => {
  const error = new KernelError({ message: 'bad', hint: 'do this', kind: 'ProtocolError' });
  assert.ok(error instanceof Error);
  assert.equal(error.message, 'bad');
  assert.equal(error.kind, 'ProtocolError');
});
