/**
 * `KernelChannel`: the sidebar's link to the active notebook's kernel.
 *
 * It follows the notebook tracker, opens a comm on the `vanna_magic` target of that
 * notebook's kernel, and re-opens it when the kernel changes or restarts. A kernel that
 * closes the comm at once has not loaded vanna_magic (`connection === 'not-loaded'`).
 */
import { ISessionContext } from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { Kernel, KernelMessage } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import { RequestBook } from './logic';
import { COMM_TARGET, Connection, Op, OpArgs, OpResults } from './tokens';

/** How long a kernel may take to answer the first request before the sidebar gives up on it. */
const PROBE_TIMEOUT_MS = 20000;
/** How long any request may wait (a kernel running a long cell answers only afterwards). */
const REQUEST_TIMEOUT_MS = 60000;

export class KernelChannel {
  private book = new RequestBook();
  private comm: Kernel.IComm | null = null;
  private context: ISessionContext | null = null;
  private _connection: Connection = 'no-notebook';
  private _changed = new Signal<this, Connection>(this);
  private generation = 0;
  private cellRan = false;

  constructor(private tracker: INotebookTracker) {
    tracker.currentChanged.connect(this.follow, this);
    this.follow(tracker, tracker.currentWidget);
  }

  /** Emits the new state whenever the connection changes (new notebook, kernel, restart, load). */
  get changed(): ISignal<this, Connection> {
    return this._changed;
  }

  get connection(): Connection {
    return this._connection;
  }

  get notebook(): NotebookPanel | null {
    return this.tracker.currentWidget;
  }

  get kernelName(): string {
    return this.context?.session?.kernel?.name ?? '';
  }

  /** Send one request; resolves with its result, rejects with a `KernelError` or an `Error`. */
  request<K extends Op>(op: K, args: OpArgs[K]): Promise<OpResults[K]> {
    if (!this.comm || this.comm.isDisposed || this._connection !== 'ready') {
      return Promise.reject(new Error(this.unavailable()));
    }
    const reply = this.send(this.comm, op, args);
    return Promise.race([reply, timeout(REQUEST_TIMEOUT_MS,
      `The kernel did not answer '${op}' within ${REQUEST_TIMEOUT_MS / 1000} s: it may be busy running a cell; ` +
      'try again when it is idle.')]);
  }

  /** Run `%load_ext vanna_magic` in the notebook's kernel, then connect again. */
  async loadExtension(): Promise<void> {
    const kernel = this.context?.session?.kernel;
    if (!kernel) {
      throw new Error('This notebook has no kernel: start one, then load vanna_magic.');
    }
    const future = kernel.requestExecute({ code: '%load_ext vanna_magic', store_history: false });
    const reply = (await future.done) as KernelMessage.IExecuteReplyMsg;
    if (reply.content.status !== 'ok') {
      const content = reply.content as KernelMessage.IReplyErrorContent;
      throw new Error(`%load_ext vanna_magic failed: ${content.ename}: ${content.evalue}. ` +
        'Install vanna-magic in this kernel\'s environment (pip install vanna-magic).');
    }
    await this.reconnect();
  }

  /** Drop the current comm and open a new one on the current kernel. */
  async reconnect(): Promise<void> {
    const generation = ++this.generation;
    this.closeComm('the sidebar reconnected');
    const kernel = this.context?.session?.kernel;
    if (!this.notebook) {
      return this.setConnection('no-notebook');
    }
    if (!kernel) {
      return this.setConnection('no-kernel');
    }
    this.setConnection('connecting');
    const comm = kernel.createComm(COMM_TARGET);
    let closed = false;
    comm.onMsg = msg => {
      this.book.settle(msg.content.data);
    };
    comm.onClose = () => {
      closed = true;
      if (this.comm === comm) {
        this.comm = null;
        this.book.rejectAll('the kernel closed the vanna_magic channel');
        if (generation === this.generation) {
          this.setConnection('not-loaded');
        }
      }
    };
    this.comm = comm;
    try {
      comm.open();
      const probe = this.send(comm, 'health', {});
      await Promise.race([probe, timeout(PROBE_TIMEOUT_MS)]);
      if (generation === this.generation && !closed) {
        this.setConnection('ready');
      }
    } catch (error) {
      if (generation === this.generation) {
        this.closeComm('no answer from the kernel');
        this.setConnection('not-loaded');
      }
    }
  }

  dispose(): void {
    this.tracker.currentChanged.disconnect(this.follow, this);
    this.watch(null);
    this.closeComm('the sidebar closed');
    Signal.clearData(this);
  }

  private send<K extends Op>(comm: Kernel.IComm, op: K, args: OpArgs[K]): Promise<OpResults[K]> {
    const { id, reply } = this.book.open(op);
    comm.send({ id, op, args } as any);
    return reply;
  }

  private unavailable(): string {
    switch (this._connection) {
      case 'no-notebook':
        return 'Open a notebook to see its database.';
      case 'no-kernel':
        return 'This notebook has no kernel: start one.';
      case 'not-loaded':
        return 'vanna_magic is not loaded in this kernel: run %load_ext vanna_magic.';
      default:
        return 'Still connecting to the kernel; try again in a moment.';
    }
  }

  private follow(_sender: INotebookTracker, panel: NotebookPanel | null): void {
    this.watch(panel?.sessionContext ?? null);
    void this.ready(panel);
  }

  private async ready(panel: NotebookPanel | null): Promise<void> {
    if (panel) {
      this.setConnection('connecting');
      await panel.sessionContext.ready;
      if (panel !== this.notebook) {
        return;
      }
    }
    await this.reconnect();
  }

  private watch(context: ISessionContext | null): void {
    if (this.context) {
      this.context.kernelChanged.disconnect(this.onKernelChanged, this);
      this.context.statusChanged.disconnect(this.onStatusChanged, this);
      this.context.iopubMessage.disconnect(this.onIOPub, this);
    }
    this.context = context;
    if (context) {
      context.kernelChanged.connect(this.onKernelChanged, this);
      context.statusChanged.connect(this.onStatusChanged, this);
      context.iopubMessage.connect(this.onIOPub, this);
    }
  }

  private onKernelChanged(): void {
    void this.reconnect();
  }

  private onStatusChanged(_context: ISessionContext, status: Kernel.Status): void {
    if (status === 'restarting' || status === 'autorestarting' || status === 'dead') {
      this.closeComm('the kernel restarted');
      this.setConnection(status === 'dead' ? 'no-kernel' : 'connecting');
    } else if (status === 'idle' && !this.comm &&
      ((this._connection === 'not-loaded' && this.cellRan) || this._connection === 'connecting')) {
      // After a restart, or after a cell ran (it may have been %load_ext vanna_magic): try again.
      // Only after a cell: the probe itself makes the kernel busy and idle again.
      this.cellRan = false;
      void this.reconnect();
    }
  }

  private onIOPub(_context: ISessionContext, msg: KernelMessage.IMessage): void {
    if (msg.header.msg_type === 'execute_input') {
      this.cellRan = true;
    }
  }

  private closeComm(reason: string): void {
    const comm = this.comm;
    this.comm = null;
    this.book.rejectAll(reason);
    if (comm && !comm.isDisposed) {
      comm.onClose = () => undefined;
      try {
        comm.close();
      } catch {
        // The kernel is already gone; nothing to close.
      }
    }
  }

  private setConnection(connection: Connection): void {
    if (connection !== this._connection) {
      this._connection = connection;
      this._changed.emit(connection);
    } else if (connection === 'ready') {
      this._changed.emit(connection);
    }
  }
}

function timeout(ms: number, message = 'timed out'): Promise<never> {
  return new Promise((_resolve, reject) => setTimeout(() => reject(new Error(message)), ms));
}
