/** At most N tasks at a time; the others wait their turn in arrival order. */
export class ConcurrencyLimit {
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`ConcurrencyLimit needs a whole number above 0, got ${max}`);
  }

  /** Tasks started and not finished yet (never more than `max`). */
  get active(): number {
    return this.running;
  }

  /** Tasks waiting for a turn. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Runs `task` as soon as fewer than `max` tasks are running; settles as the task does. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      // The turn passes straight to the next waiter (running stays the same), or is given back.
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    }
  }
}
