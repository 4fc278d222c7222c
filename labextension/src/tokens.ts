/**
 * The typed contract between the sidebar and the kernel (`vanna_magic/jupyter/protocol.py`).
 *
 * The block between the CONTRACT markers is generated from the Python side
 * (`python -m vanna_magic.jupyter.protocol labextension/src/tokens.ts`);
 * `tests/test_protocol_contract.py` fails when the two differ.
 */

// BEGIN CONTRACT (generated; do not edit by hand)
export const PROTOCOL_VERSION = 1;
export const COMM_TARGET = 'vanna_magic';

export interface ErrorInfo {
  message: string;
  hint: string | null;
  kind: string;
}

export interface Column {
  name: string;
  type: string;
  nullable: boolean;
  primary_key: boolean;
  comment: string | null;
}

export interface ForeignKey {
  columns: string[];
  ref_table: string;
  ref_columns: string[];
}

export interface Table {
  name: string;
  schema: string | null;
  comment: string | null;
  row_estimate: number | null;
  primary_key: string[];
  columns: Column[];
  foreign_keys: ForeignKey[];
}

export interface SchemaResult {
  connection: string;
  dialect: string;
  tables: Table[];
}

export interface Definition {
  kind: string;
  name: string;
  text: string;
  sql: string | null;
  tables: string[];
}

export interface DocumentInfo {
  title: string;
  text: string;
  table: string | null;
  path: string | null;
}

export interface DocsResult {
  definitions: Definition[];
  documents: DocumentInfo[];
  problems: string[];
}

export interface SearchHit {
  kind: string;
  name: string;
  snippet: string;
  score: number;
}

export interface SearchResult {
  text: string;
  hits: SearchHit[];
}

export interface Breaker {
  name: string;
  state: string;
  failures: number;
}

export interface Latency {
  name: string;
  seconds: number;
  p95_seconds: number;
}

export interface HealthResult {
  mode: string;
  mode_reason: string | null;
  unavailable: string[];
  score: number | null;
  connection: string;
  demo: boolean;
  database: string;
  database_error: string | null;
  dialect: string | null;
  model: string | null;
  index: string;
  breakers: Breaker[];
  latencies: Latency[];
  errors: string[];
  next_step: string | null;
  examples: number;
  definitions: number;
  documents: number;
  problems: string[];
}

export interface BreakerResetResult {
  name: string;
  state: string;
}

export interface OpArgs {
  schema: { refresh?: boolean; table?: string; };
  docs: Record<string, never>;
  search: { text: string; limit?: number; };
  health: Record<string, never>;
  breaker_reset: { name: string; };
}

export interface OpResults {
  schema: SchemaResult;
  docs: DocsResult;
  search: SearchResult;
  health: HealthResult;
  breaker_reset: BreakerResetResult;
}

export type Op = keyof OpArgs;

export const OPS: readonly Op[] = ['schema', 'docs', 'search', 'health', 'breaker_reset'];
// END CONTRACT

/** A request sent to the kernel on the `vanna_magic` comm. */
export interface Request<K extends Op = Op> {
  id: string;
  op: K;
  args: OpArgs[K];
}

/** The kernel's answer to one request. */
export type Reply<K extends Op = Op> =
  | { id: string | number | null; ok: true; result: OpResults[K] }
  | { id: string | number | null; ok: false; error: ErrorInfo };

/** Where the sidebar stands with the active notebook's kernel. */
export type Connection =
  | 'no-notebook'
  | 'no-kernel'
  | 'connecting'
  | 'not-loaded'
  | 'ready';

/** An error the kernel reported, carried as a JavaScript `Error`. */
export class KernelError extends Error {
  readonly hint: string | null;
  readonly kind: string;

  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = 'KernelError';
    this.hint = info.hint;
    this.kind = info.kind;
  }
}
