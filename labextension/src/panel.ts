/**
 * `SidebarPanel`: the left-sidebar panel. A status line (with a button that loads
 * vanna_magic when the kernel has not) above the Schema, Semantic docs and System health sections.
 */
import { NotebookActions } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { LabIcon } from '@jupyterlab/ui-components';
import { Panel, Widget } from '@lumino/widgets';

import { askCell, errorText } from './logic';
import { KernelChannel } from './manager';
import { DocsSection, el, HealthSection, SchemaSection } from './sections';
import { Connection, Table } from './tokens';

export const databaseIcon = new LabIcon({
  name: 'vanna-magic:database',
  svgstr: '<svg xmlns="http://www.w3.org/2000/svg" width="16" viewBox="0 0 24 24"><g class="jp-icon3" fill="#616161">' +
    '<path d="M12 2C7 2 3 3.8 3 6v12c0 2.2 4 4 9 4s9-1.8 9-4V6c0-2.2-4-4-9-4zm0 2c4.4 0 7 1.5 7 2s-2.6 2-7 2-7-1.5-7-2 ' +
    '2.6-2 7-2zM5 9c1.7.9 4.2 1.4 7 1.4s5.3-.5 7-1.4v3c0 .5-2.6 2-7 2s-7-1.5-7-2V9zm0 6c1.7.9 4.2 1.4 7 1.4s5.3-.5 ' +
    '7-1.4v3c0 .5-2.6 2-7 2s-7-1.5-7-2v-3z"/></g></svg>'
});

const STATUS: Record<Connection, string> = {
  'no-notebook': 'Open a notebook to see its database.',
  'no-kernel': 'This notebook has no running kernel.',
  connecting: 'Connecting to the kernel…',
  'not-loaded': 'vanna_magic is not loaded in this notebook\'s kernel.',
  ready: 'Connected to the notebook\'s kernel.'
};

export class SidebarPanel extends Panel {
  readonly schema: SchemaSection;
  readonly docs: DocsSection;
  readonly health: HealthSection;
  private status: HTMLElement;
  private loadButton: HTMLButtonElement;

  constructor(private channel: KernelChannel, rendermime: IRenderMimeRegistry) {
    super();
    this.id = 'vanna-magic-sidebar';
    this.addClass('vm-sidebar');
    this.title.icon = databaseIcon;
    this.title.caption = 'vanna-magic: schema, semantic docs and system health';
    this.status = el('span', 'vm-status-text');
    this.loadButton = el('button', 'jp-Button jp-mod-accept vm-load', ['Load vanna_magic'],
      { type: 'button', title: 'Run %load_ext vanna_magic in this notebook\'s kernel' }) as HTMLButtonElement;
    this.loadButton.addEventListener('click', () => void this.load());
    const header = new Widget({ node: el('div', 'vm-header', [this.status, this.loadButton]) });
    this.schema = new SchemaSection(channel, table => this.ask(table));
    this.docs = new DocsSection(channel, rendermime);
    this.health = new HealthSection(channel);
    for (const widget of [header, this.schema, this.docs, this.health]) {
      this.addWidget(widget);
    }
    channel.changed.connect(this.update, this);
    this.update();
  }

  dispose(): void {
    this.channel.changed.disconnect(this.update, this);
    super.dispose();
  }

  update(): void {
    const connection = this.channel.connection;
    this.node.dataset.connection = connection;
    const notebook = this.channel.notebook;
    this.status.textContent = connection === 'ready' && notebook
      ? `Connected to the kernel of ${notebook.title.label} (${this.channel.kernelName}).` : STATUS[connection];
    this.loadButton.hidden = connection !== 'not-loaded';
    const sections = [this.schema, this.docs, this.health];
    if (connection === 'ready') {
      for (const section of sections) {
        void section.refresh();
      }
    } else {
      const text = connection === 'not-loaded' ? 'Load vanna_magic to see this.' : STATUS[connection];
      sections.forEach(section => section.idle(text));
    }
  }

  private async load(): Promise<void> {
    this.loadButton.disabled = true;
    this.status.textContent = 'Loading vanna_magic…';
    try {
      await this.channel.loadExtension();
    } catch (error) {
      this.status.textContent = errorText(error);
      this.node.dataset.connection = 'error';
    } finally {
      this.loadButton.disabled = false;
    }
  }

  /** Insert a `%%ask` cell about `table` below the active cell of the notebook. */
  private ask(table: Table): void {
    const panel = this.channel.notebook;
    if (!panel) {
      return;
    }
    const notebook = panel.content;
    NotebookActions.insertBelow(notebook);
    const cell = notebook.activeCell;
    if (cell) {
      cell.model.sharedModel.setSource(askCell(table));
      notebook.mode = 'edit';
    }
    panel.activate();
  }
}
