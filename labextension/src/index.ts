import { ILabShell, ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';

import { watchNotebooks } from './cells';
import { KernelChannel } from './manager';
import { SidebarPanel } from './panel';

/** The vanna-magic sidebar (schema, semantic docs and system health of the active notebook's kernel), and
 * cell magics' editor languages and insert-a-cell buttons in notebooks. */
const plugin: JupyterFrontEndPlugin<void> = {
  id: 'vanna-magic:sidebar',
  description: 'Schema, semantic docs and system health, live from the notebook kernel.',
  autoStart: true,
  requires: [INotebookTracker, IRenderMimeRegistry, ILabShell],
  optional: [ILayoutRestorer],
  activate: (app: JupyterFrontEnd, tracker: INotebookTracker, rendermime: IRenderMimeRegistry,
    shell: ILabShell, restorer: ILayoutRestorer | null) => {
    const panel = new SidebarPanel(new KernelChannel(tracker), rendermime);
    shell.add(panel, 'left', { rank: 600 });
    restorer?.add(panel, panel.id);
    watchNotebooks(tracker);
  }
};

export default plugin;
