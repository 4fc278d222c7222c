/**
 * The sidebar's logic that needs no JupyterLab: request bookkeeping, reply checking,
 * schema filtering and the text the sidebar writes. Unit-tested in `test/`.
 */
import {
  Definition,
  ErrorInfo,
  HealthResult,
  KernelError,
  Op,
  OPS,
  OpResults,
  Reply,
  Table
} from './tokens';

/** Is `data` a reply of the contract (`{id, ok, result | error}`)? */
export function isReply(data: unknown): data is Reply {
  if (typeof data !== 'object' || data === null) {
    return false;
  }
  const reply = data as Record<string, unknown>;
  if (!('id' in reply) || typeof reply.ok !== 'boolean') {
    return false;
  }
  if (reply.ok) {
    return typeof reply.result === 'object' && reply.result !== null;
  }
  const error = reply.error as ErrorInfo | undefined;
  return typeof error === 'object' && error !== null && typeof error.message === 'string';
}

interface Pending {
  op: Op;
  resolve: (result: any) => void;
  reject: (error: Error) => void;
}

/** Requests sent and not yet answered, matched to replies by id. */
export class RequestBook {
  private pending = new Map<string, Pending>();
  private counter = 0;

  constructor(private prefix: string = Math.random().toString(36).slice(2, 8)) {}

  /** A new id and the promise its reply settles. */
  open<K extends Op>(op: K): { id: string; reply: Promise<OpResults[K]> } {
    if (!OPS.includes(op)) {
      throw new Error(`unknown op '${op}': the kernel answers ${OPS.join(', ')}`);
    }
    const id = `${this.prefix}-${++this.counter}`;
    const reply = new Promise<OpResults[K]>((resolve, reject) => {
      this.pending.set(id, { op, resolve, reject });
    });
    return { id, reply };
  }

  /** Settle the request `data` answers; false when it answers none of ours. */
  settle(data: unknown): boolean {
    if (!isReply(data)) {
      return false;
    }
    const entry = this.pending.get(String(data.id));
    if (!entry) {
      return false;
    }
    this.pending.delete(String(data.id));
    if (data.ok) {
      entry.resolve(data.result);
    } else {
      entry.reject(new KernelError(data.error));
    }
    return true;
  }

  /** Reject every open request (the kernel went away). */
  rejectAll(reason: string): void {
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) {
      entry.reject(new Error(`${entry.op}: ${reason}`));
    }
  }

  get size(): number {
    return this.pending.size;
  }
}

/** One table of a filtered schema: `columns` are the ones to show, `expand` when a column matched. */
export interface TableMatch {
  table: Table;
  columns: Table['columns'];
  expand: boolean;
}

/**
 * The tables whose name, or some column's name, contains `query` (case-insensitive).
 * A table matched by name shows all its columns; one matched by columns shows those.
 */
export function filterTables(tables: Table[], query: string): TableMatch[] {
  const needle = query.trim().toLowerCase();
  if (!needle) {
    return tables.map(table => ({ table, columns: table.columns, expand: false }));
  }
  const matches: TableMatch[] = [];
  for (const table of tables) {
    if (qualifiedName(table).toLowerCase().includes(needle)) {
      matches.push({ table, columns: table.columns, expand: false });
      continue;
    }
    const columns = table.columns.filter(c => c.name.toLowerCase().includes(needle));
    if (columns.length) {
      matches.push({ table, columns, expand: true });
    }
  }
  return matches;
}

export function qualifiedName(table: Table): string {
  return table.schema ? `${table.schema}.${table.name}` : table.name;
}

/** The `%%ask` cell the sidebar inserts for a table. */
export function askCell(table: Table): string {
  return `%%ask\nShow 10 rows of ${qualifiedName(table)} with their most useful columns`;
}

/** `1234` -> `"1.2k rows"`; unknown -> `""`. */
export function rowCount(rows: number | null): string {
  if (rows === null || rows < 0) {
    return '';
  }
  if (rows >= 1e6) {
    return `${(rows / 1e6).toFixed(1)}M rows`;
  }
  if (rows >= 1e4) {
    return `${Math.round(rows / 1e3)}k rows`;
  }
  if (rows >= 1e3) {
    return `${(rows / 1e3).toFixed(1)}k rows`;
  }
  return rows === 1 ? '1 row' : `${rows} rows`;
}

/** A definition as Markdown: its name and kind, its text, and its SQL when it has one. */
export function definitionMarkdown(definition: Definition): string {
  const parts = [`**${definition.name}** _(${definition.kind})_`, '', definition.text];
  if (definition.sql && !definition.text.includes(definition.sql)) {
    parts.push('', '```sql', definition.sql, '```');
  }
  if (definition.tables.length) {
    parts.push('', `Tables: ${definition.tables.map(t => `\`${t}\``).join(', ')}`);
  }
  return parts.join('\n');
}

const KIND_TITLES: Record<string, string> = {
  metric: 'Metrics', dimension: 'Dimensions', glossary: 'Glossary', relationship: 'Relationships'
};

/** Definitions grouped by kind, in the order metrics, dimensions, glossary, relationships, then any other kind. */
export function groupDefinitions(definitions: Definition[]): { title: string; definitions: Definition[] }[] {
  const groups = new Map<string, Definition[]>();
  for (const kind of Object.keys(KIND_TITLES)) {
    groups.set(kind, []);
  }
  for (const definition of definitions) {
    groups.set(definition.kind, [...(groups.get(definition.kind) ?? []), definition]);
  }
  return [...groups.entries()].filter(([, items]) => items.length).map(([kind, items]) => ({
    title: KIND_TITLES[kind] ?? kind, definitions: items
  }));
}

/** The one-line summary of the health section. */
export function healthSummary(health: HealthResult): string {
  const score = health.score === null ? 'score n/a' : `score ${health.score}/100`;
  return `${health.mode} · ${score}`;
}

/** Breakers the user may reset (any that is not closed). */
export function resettable(health: HealthResult): string[] {
  return health.breakers.filter(b => b.state !== 'CLOSED').map(b => b.name);
}

/** An `Error` as the sentence (and hint) the panel shows. */
export function errorText(error: unknown): string {
  if (error instanceof KernelError) {
    return error.hint ? `${error.message} ${error.hint}` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The editor language of a cell magic's body, by the magic on the cell's first line: `%%ask` bodies are
 * questions (plain text), `%%vsql` bodies SQL; any other cell keeps the notebook's language (null). */
export function magicMimeType(source: string): string | null {
  const first = source.slice(0, source.indexOf('\n') === -1 ? undefined : source.indexOf('\n')).trim();
  const magic = /^%%(\w+)(?:\s|$)/.exec(first);
  return magic ? (MAGIC_LANGUAGES[magic[1]] ?? null) : null;
}

const MAGIC_LANGUAGES: Record<string, string> = { ask: 'text/plain', vsql: 'text/x-sql' };

/** Buttons with this class in a cell's output insert their `data-cell` as a new cell below it. */
export const INSERT_CELL_CLASS = 'vanna-insert-cell';

/** `text` cut after each `/` (the places a path or URL may wrap): `'a/b/c'` -> `['a/', 'b/', 'c']`. */
export function slashParts(text: string): string[] {
  return text.split(/(?<=\/)(?!\/)/).filter(part => part !== '');
}
