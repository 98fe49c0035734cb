import { ChildProcess, spawn } from 'node:child_process';

/** How long to wait before restarting a process that exited: doubling from `initialMs` up to `maxMs`. */
export interface Backoff {
  initialMs: number;
  maxMs: number;
  /** A process that stayed up this long was healthy: its next crash starts the back-off over. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 500, maxMs: 30_000, resetAfterMs: 60_000 };

/** The delay before restart number `failures` (1 for the first restart). */
export function backoffDelay(backoff: Backoff, failures: number): number {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, failures - 1));
}

interface Supervised {
  name: string;
  script: string;
  child: ChildProcess | null;
  startedAt: number;
  failures: number;
  timer: NodeJS.Timeout | null;
}

/**
 * Keeps `npm start`'s processes (the worker, the API) running: one that exits is started again after a back-off,
 * so killing the worker no longer stops the platform. Only `stop()` (Ctrl-C, SIGTERM) ends them.
 */
export class Supervisor {
  private readonly processes: Supervised[] = [];
  private stopping = false;

  constructor(
    private readonly options: {
      env: NodeJS.ProcessEnv;
      backoff?: Backoff;
      log?: (line: string) => void;
      now?: () => number;
    },
  ) {}

  private get backoff(): Backoff {
    return this.options.backoff ?? DEFAULT_BACKOFF;
  }

  private log(line: string): void {
    (this.options.log ?? ((l: string) => console.log(l)))(line);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Starts `script` (a compiled entry point) under supervision. */
  start(name: string, script: string): void {
    const p: Supervised = { name, script, child: null, startedAt: 0, failures: 0, timer: null };
    this.processes.push(p);
    this.launch(p);
  }

  private launch(p: Supervised): void {
    p.timer = null;
    if (this.stopping) return;
    const child = spawn(process.execPath, [p.script], { env: this.options.env, stdio: ['ignore', 'inherit', 'inherit'] });
    p.child = child;
    p.startedAt = this.now();
    this.log(`${p.name} started (pid ${child.pid})`);
    child.once('exit', (code, signal) => {
      if (p.child === child) p.child = null;
      if (this.stopping) return;
      const upMs = this.now() - p.startedAt;
      p.failures = upMs >= this.backoff.resetAfterMs ? 1 : p.failures + 1;
      const delay = backoffDelay(this.backoff, p.failures);
      this.log(`${p.name} exited (${signal ?? `code ${code}`}) after ${Math.round(upMs / 1000)} s; restarting in ${delay} ms`);
      p.timer = setTimeout(() => this.launch(p), delay);
    });
    child.once('error', (err) => this.log(`${p.name} could not start: ${err.message}`));
  }

  /** Pids of the running processes by name (for the operator, and for tests that kill one). */
  pids(): Record<string, number | null> {
    return Object.fromEntries(this.processes.map((p) => [p.name, p.child?.pid ?? null]));
  }

  /** Stops everything: SIGTERM, then SIGKILL after `graceMs`; pending restarts are dropped. */
  async stop(graceMs = 15_000): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.processes.map((p) => {
        if (p.timer) clearTimeout(p.timer);
        const c = p.child;
        if (!c || c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
        return new Promise<void>((done) => {
          c.once('exit', () => done());
          c.kill('SIGTERM');
          setTimeout(() => c.kill('SIGKILL'), graceMs).unref();
        });
      }),
    );
  }

  /** Last resort when the supervisor itself exits: no child outlives it. */
  killAll(): void {
    for (const p of this.processes) if (p.child && p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  }
}
