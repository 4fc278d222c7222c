/**
 * The three sections of the sidebar: Schema, Semantic docs and System health.
 * Each asks the kernel through a `KernelChannel` and shows failures as a message in place.
 */
import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import { Widget } from '@lumino/widgets';

import { KernelChannel } from './manager';
import {
  TableMatch,
  definitionMarkdown,
  slashParts,
  errorText,
  filterTables,
  groupDefinitions,
  healthSummary,
  qualifiedName,
  resettable,
  rowCount
} from './logic';
import { HealthResult, SchemaResult, SearchResult, Table, DocsResult } from './tokens';

type Child = Node | string | null | undefined | false;

/** A DOM element with a class, attributes and children. */
export function el(tag: string, className = '', children: Child[] = [], attrs: Record<string, string> = {}):
  HTMLElement {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  for (const [key, value] of Object.entries(attrs)) {
    node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(...(typeof child === 'string' ? breakable(child) : [child]));
    }
  }
  return node;
}

/** Text whose paths and URLs may wrap after each `/` (a `<wbr>` there), and nowhere inside a word: a narrow
 * sidebar then wraps `sqlite:////data/shop.db` between its folders, and copying it copies it unchanged. */
export function breakable(text: string): Node[] {
  return slashParts(text).flatMap((part, i) => i ? [document.createElement('wbr'), part] : [part])
    .map(part => typeof part === 'string' ? document.createTextNode(part) : part);
}

function button(label: string, title: string, onClick: () => void, className = 'vm-button'): HTMLButtonElement {
  const node = el('button', `jp-Button ${className}`, [label], { title, type: 'button' }) as HTMLButtonElement;
  node.addEventListener('click', onClick);
  return node;
}

/** A titled section with a toolbar, a message line and a body. */
abstract class Section extends Widget {
  protected toolbar: HTMLElement;
  protected message: HTMLElement;
  protected body: HTMLElement;

  constructor(protected channel: KernelChannel, title: string, id: string) {
    super();
    this.addClass('vm-section');
    this.id = id;
    this.toolbar = el('div', 'vm-toolbar');
    this.message = el('div', 'vm-message', [], { role: 'status' });
    this.body = el('div', 'vm-body');
    this.node.append(el('h3', 'vm-section-title', [title]), this.toolbar, this.message, this.body);
  }

  /** Ask the kernel again and render the answer. */
  abstract refresh(): Promise<void>;

  /** Show `text` instead of content (no kernel, not loaded...). */
  idle(text: string): void {
    this.body.replaceChildren();
    this.say(text, 'info');
  }

  protected say(text: string, kind: 'info' | 'error' = 'error'): void {
    this.message.replaceChildren(...breakable(text));
    this.message.dataset.kind = text ? kind : '';
  }

  protected async attempt<T>(work: () => Promise<T>): Promise<T | undefined> {
    this.node.classList.add('vm-busy');
    try {
      const result = await work();
      this.say('');
      return result;
    } catch (error) {
      this.say(errorText(error));
      return undefined;
    } finally {
      this.node.classList.remove('vm-busy');
    }
  }
}

/** Tables the schema tree shows at once; more on request. A warehouse has thousands: filter first. */
export const TABLES_SHOWN = 200;

export class SchemaSection extends Section {
  private schema: SchemaResult | null = null;
  private filter: HTMLInputElement;
  private shown = TABLES_SHOWN;

  constructor(channel: KernelChannel, private onAsk: (table: Table) => void) {
    super(channel, 'Schema', 'vanna-magic-schema');
    this.filter = el('input', 'jp-mod-styled vm-filter', [],
      { type: 'search', placeholder: 'Filter tables', 'aria-label': 'Filter tables' }) as HTMLInputElement;
    this.filter.addEventListener('input', () => {
      this.shown = TABLES_SHOWN;
      this.render();
    });
    this.toolbar.append(this.filter, button('⟳', 'Read the schema again', () => void this.refresh(true)));
  }

  async refresh(reread = false): Promise<void> {
    const schema = await this.attempt(() => this.channel.request('schema', reread ? { refresh: true } : {}));
    if (schema) {
      this.schema = schema;
      this.render();
    }
  }

  private render(): void {
    if (!this.schema) {
      return;
    }
    const matches = filterTables(this.schema.tables, this.filter.value);
    const total = this.schema.tables.length;
    const caption = `${this.schema.dialect} · ${total} tables` +
      (matches.length < total ? ` · ${matches.length} match` : '');
    const header = el('div', 'vm-caption', [caption]);
    const tree = el('ul', 'vm-tree', matches.slice(0, this.shown).map(match => this.item(match)));
    const rest = matches.length - this.shown;
    const more = rest > 0 ? button(`Show ${Math.min(rest, TABLES_SHOWN)} more of ${rest}`,
      'Filter to narrow the list, or show more tables', () => {
        this.shown += TABLES_SHOWN;
        this.render();
      }, 'vm-button vm-more') : null;
    this.body.replaceChildren(...[header, matches.length ? tree : el('div', 'vm-muted', ['No table matches the filter.']),
      more].filter((node): node is HTMLElement => node !== null));
  }

  /** One table of the tree; its columns are built when it opens (a closed table costs one line). */
  private item({ table, columns, expand }: TableMatch): HTMLElement {
    const name = el('a', 'vm-table-name', [qualifiedName(table)],
      { title: `Insert a %%ask cell about ${qualifiedName(table)}`, href: '#' });
    name.addEventListener('click', event => {
      event.preventDefault();
      this.onAsk(table);
    });
    const summary = el('summary', '', [name, el('span', 'vm-muted', [` ${rowCount(table.row_estimate)}`])]);
    const details = el('details', 'vm-table', [summary], { 'data-table': table.name }) as HTMLDetailsElement;
    const fill = (): void => {
      details.append(...[table.comment ? el('div', 'vm-comment', [table.comment]) : null,
        el('ul', 'vm-columns', columns.map(column => el('li', '', [
          el('span', column.primary_key ? 'vm-column vm-pk' : 'vm-column', [column.name]),
          el('span', 'vm-type', [` ${column.type}${column.nullable ? '' : ' not null'}`]),
          column.primary_key ? el('span', 'vm-key', [' PK']) : null,
          ...table.foreign_keys.filter(fk => fk.columns.includes(column.name)).map(fk =>
            el('span', 'vm-key', [` → ${fk.ref_table}.${fk.ref_columns.join(', ')}`])),
          column.comment ? el('div', 'vm-comment', [column.comment]) : null
        ])))].filter((node): node is HTMLElement => node !== null));
    };
    if (expand) {
      fill();
      details.open = true;
    } else {
      details.addEventListener('toggle', () => {
        if (details.open && details.childElementCount === 1) {
          fill();
        }
      });
    }
    return el('li', '', [details]);
  }
}

export class DocsSection extends Section {
  private query: HTMLInputElement;
  private timer = 0;

  constructor(channel: KernelChannel, private rendermime: IRenderMimeRegistry) {
    super(channel, 'Semantic docs', 'vanna-magic-docs');
    this.query = el('input', 'jp-mod-styled vm-filter', [],
      { type: 'search', placeholder: 'Search the docs', 'aria-label': 'Search docs' }) as
      HTMLInputElement;
    this.query.addEventListener('input', () => {
      window.clearTimeout(this.timer);
      this.timer = window.setTimeout(() => void this.refresh(), 300);
    });
    this.toolbar.append(this.query, button('⟳', 'Read the knowledge base again', () => void this.refresh()));
  }

  async refresh(): Promise<void> {
    const text = this.query.value.trim();
    if (text) {
      const found = await this.attempt(() => this.channel.request('search', { text }));
      if (found) {
        this.renderHits(found);
      }
      return;
    }
    const docs = await this.attempt(() => this.channel.request('docs', {}));
    if (docs) {
      await this.renderDocs(docs);
    }
  }

  private async renderDocs(docs: DocsResult): Promise<void> {
    const groups: HTMLElement[] = [];
    for (const group of groupDefinitions(docs.definitions)) {
      const items = await Promise.all(group.definitions.map(d => this.markdown(definitionMarkdown(d), d.name)));
      groups.push(el('details', 'vm-group', [el('summary', '', [`${group.title} (${items.length})`]), ...items],
        { 'data-group': group.title }));
    }
    const documents = await Promise.all(docs.documents.map(async doc => el('details', 'vm-document', [
      el('summary', '', [doc.title]), await this.markdown(doc.text, doc.title)])));
    if (documents.length) {
      groups.push(el('details', 'vm-group', [el('summary', '', [`Documents (${documents.length})`]), ...documents],
        { 'data-group': 'Documents' }));
    }
    this.body.replaceChildren(
      el('div', 'vm-caption', [`${docs.definitions.length} definitions · ${docs.documents.length} documents`]),
      ...groups, ...docs.problems.map(problem => el('div', 'vm-problem', [problem])));
  }

  private renderHits(found: SearchResult): void {
    this.body.replaceChildren(
      el('div', 'vm-caption', [`${found.hits.length} results for “${found.text}”`]),
      el('ul', 'vm-hits', found.hits.map(hit => el('li', '', [
        el('span', 'vm-kind', [hit.kind]), ' ', el('strong', '', [hit.name]),
        el('div', 'vm-muted', [hit.snippet])]))));
  }

  private async markdown(text: string, name: string): Promise<HTMLElement> {
    const renderer = this.rendermime.createRenderer('text/markdown');
    await renderer.renderModel(new MimeModel({ data: { 'text/markdown': text } }));
    stackTables(renderer.node);
    return el('div', 'vm-markdown', [renderer.node], { 'data-name': name });
  }
}

/** Tables in docs as one block per row, each cell under its column's name (`data-label`): a narrow sidebar
 * shows them without scrolling sideways or breaking words (`.vm-stacked` in the stylesheet). */
function stackTables(root: HTMLElement): void {
  for (const table of Array.from(root.querySelectorAll('table'))) {
    const labels = Array.from(table.querySelectorAll('thead th')).map(th => th.textContent?.trim() ?? '');
    table.classList.add('vm-stacked');
    for (const row of Array.from(table.querySelectorAll('tbody tr'))) {
      Array.from(row.children).forEach((cell, i) => cell.setAttribute('data-label', labels[i] ?? ''));
    }
  }
}

export class HealthSection extends Section {
  private auto: HTMLInputElement;
  private timer = 0;

  constructor(channel: KernelChannel, private intervalMs = 10000) {
    super(channel, 'System health', 'vanna-magic-health');
    this.auto = el('input', '', [], { type: 'checkbox', 'aria-label': 'Auto-refresh' }) as HTMLInputElement;
    this.auto.addEventListener('change', () => this.schedule());
    this.toolbar.append(button('⟳', 'Check the health now', () => void this.refresh()),
      el('label', 'vm-auto', [this.auto, ` every ${intervalMs / 1000} s`]));
  }

  async refresh(): Promise<void> {
    const health = await this.attempt(() => this.channel.request('health', {}));
    if (health) {
      this.render(health);
    }
  }

  dispose(): void {
    window.clearInterval(this.timer);
    super.dispose();
  }

  private schedule(): void {
    window.clearInterval(this.timer);
    if (this.auto.checked) {
      this.timer = window.setInterval(() => {
        if (this.channel.connection === 'ready' && this.isVisible) {
          void this.refresh();
        }
      }, this.intervalMs);
    }
  }

  private render(health: HealthResult): void {
    const row = (label: string, value: Child) => el('tr', '', [el('th', '', [label]), el('td', '', [value])]);
    const open = resettable(health);
    const facts = el('table', 'vm-facts', [
      row('mode', el('span', '', [el('span', `vm-mode vm-mode-${health.mode}`, [health.mode]),
        health.mode_reason ? el('div', 'vm-muted', [health.mode_reason]) : null,
        health.next_step ? el('div', 'vm-next-step', [health.next_step]) : null])),
      health.unavailable.length ? row('unavailable', health.unavailable.join(', ')) : null,
      row('score', health.score === null ? 'not measured' : `${health.score}/100`),
      row('database', health.database === 'ok' ? `ok (${health.dialect})` : `${health.database}: ${health.database_error}`),
      row('connection', `${health.connection}${health.demo ? ' (demo)' : ''}`),
      row('model', health.model ?? 'none configured'),
      row('index', health.index),
      row('knowledge base', `${health.examples} examples, ${health.definitions} definitions, ` +
        `${health.documents} documents`)
    ]);
    const breakers = health.breakers.length ? el('table', 'vm-facts', health.breakers.map(b => el('tr', '', [
      el('th', '', [b.name]), el('td', `vm-breaker vm-breaker-${b.state}`, [b.state,
        el('div', 'vm-muted', [`${b.failures} consecutive failure${b.failures === 1 ? '' : 's'}`]),
        open.includes(b.name) ? button('reset', `Close the ${b.name} breaker`, () => void this.reset(b.name))
          : null])]))) : el('div', 'vm-muted', ['No circuit breakers reported by this kernel.']);
    const latencies = health.latencies.length ? el('table', 'vm-facts', health.latencies.map(l =>
      el('tr', '', [el('th', '', [l.name]),
        el('td', '', [`${(l.seconds * 1000).toFixed(1)} ms median, ${(l.p95_seconds * 1000).toFixed(1)} ms p95`])])))
      : el('div', 'vm-muted', ['No requests yet.']);
    this.body.replaceChildren(
      el('div', 'vm-caption vm-summary', [healthSummary(health)]), facts,
      el('h4', '', ['Breakers']), breakers, el('h4', '', ['Latencies']), latencies,
      el('h4', '', ['Last errors of this kernel']),
      health.errors.length ? el('ul', 'vm-errors', health.errors.map(e => el('li', '', [e])))
        : el('div', 'vm-muted', ['None.']),
      ...health.problems.map(problem => el('div', 'vm-problem', [problem])));
  }

  private async reset(name: string): Promise<void> {
    if (await this.attempt(() => this.channel.request('breaker_reset', { name }))) {
      await this.refresh();
    }
  }
}
