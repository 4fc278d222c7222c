/**
 * What the extension adds to notebooks themselves: cell magics' bodies edited in their own language
 * (`%%ask` as plain text, `%%vsql` as SQL), and output buttons that insert a suggested cell below theirs.
 */
import { INotebookTracker, NotebookActions, NotebookPanel } from '@jupyterlab/notebook';

import { INSERT_CELL_CLASS, magicMimeType } from './logic';

export function watchNotebooks(tracker: INotebookTracker): void {
  tracker.forEach(panel => watchNotebook(panel));
  tracker.widgetAdded.connect((_, panel) => watchNotebook(panel));
}

function watchNotebook(panel: NotebookPanel): void {
  const notebook = panel.content;
  const watched = new WeakSet<object>();
  const apply = (): void => {
    for (const cell of notebook.widgets) {
      const model = cell.model;
      if (model.type !== 'code') {
        continue;
      }
      const fit = (): void => {
        const wanted = magicMimeType(model.sharedModel.getSource()) ?? notebook.codeMimetype;
        if (model.mimeType !== wanted) {
          model.mimeType = wanted;  // the notebook resets every cell on a kernel change: this sets it back
        }
        cell.node.dataset.vannaLanguage = magicMimeType(model.sharedModel.getSource()) ?? '';
      };
      if (!watched.has(model)) {
        watched.add(model);
        model.mimeTypeChanged.connect(fit);
        model.sharedModel.changed.connect(fit);
      }
      fit();
    }
  };
  notebook.modelContentChanged.connect(apply);
  void panel.context.ready.then(apply);
  notebook.node.addEventListener('click', event => {
    const button = (event.target as HTMLElement).closest(`button.${INSERT_CELL_CLASS}`) as HTMLButtonElement | null;
    const source = button?.dataset.cell;
    const index = button ? notebook.widgets.findIndex(cell => cell.node.contains(button)) : -1;
    if (source === undefined || index < 0) {
      return;
    }
    event.preventDefault();
    notebook.activeCellIndex = index;
    NotebookActions.insertBelow(notebook);
    notebook.activeCell?.model.sharedModel.setSource(source);
    notebook.mode = 'edit';
  });
}
