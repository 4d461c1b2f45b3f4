/**
 * Undo/redo of edits that live on the server. A command knows how to apply and revert itself
 * through the API. Deleting and re-creating an entity gives it a new id, so commands refer to
 * entities by the id they had when the command was recorded and resolve it through `IdAliases`.
 */

export interface Command {
  label: string;
  apply(): Promise<void>;
  revert(): Promise<void>;
}

export class IdAliases {
  private map = new Map<string, number>();
  private k(kind: string, id: number) {
    return `${kind}:${id}`;
  }
  /** Record that the entity first known as `oldId` now lives at `newId`. */
  set(kind: "node" | "link", oldId: number, newId: number): void {
    if (oldId !== newId) this.map.set(this.k(kind, oldId), newId);
  }
  /** The current id of an entity first known as `id` (following chains of re-creations). */
  resolve(kind: "node" | "link", id: number): number {
    let cur = id;
    for (let i = 0; i < 1000; i++) {
      const next = this.map.get(this.k(kind, cur));
      if (next === undefined) return cur;
      cur = next;
    }
    return cur;
  }
  clear(): void {
    this.map.clear();
  }
}

export class UndoStack {
  private done: Command[] = [];
  private undone: Command[] = [];
  private busy = false;
  constructor(private readonly limit = 200, private readonly onChange: () => void = () => {}) {}

  get canUndo(): boolean {
    return !this.busy && this.done.length > 0;
  }
  get canRedo(): boolean {
    return !this.busy && this.undone.length > 0;
  }
  get undoLabel(): string | undefined {
    return this.done.at(-1)?.label;
  }
  get redoLabel(): string | undefined {
    return this.undone.at(-1)?.label;
  }

  /** Record a command that has already been applied. */
  record(cmd: Command): void {
    this.done.push(cmd);
    if (this.done.length > this.limit) this.done.shift();
    this.undone = [];
    this.onChange();
  }

  /** Apply a command and record it when it succeeds. */
  async run(cmd: Command): Promise<void> {
    await this.guard(() => cmd.apply());
    this.record(cmd);
  }

  async undo(): Promise<boolean> {
    const cmd = this.done.at(-1);
    if (!cmd || this.busy) return false;
    await this.guard(() => cmd.revert());
    this.done.pop();
    this.undone.push(cmd);
    this.onChange();
    return true;
  }

  async redo(): Promise<boolean> {
    const cmd = this.undone.at(-1);
    if (!cmd || this.busy) return false;
    await this.guard(() => cmd.apply());
    this.undone.pop();
    this.done.push(cmd);
    this.onChange();
    return true;
  }

  clear(): void {
    this.done = [];
    this.undone = [];
    this.onChange();
  }

  private async guard(fn: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.onChange();
    try {
      await fn();
    } finally {
      this.busy = false;
      this.onChange();
    }
  }
}
