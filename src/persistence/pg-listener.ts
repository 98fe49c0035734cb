import { Client } from 'pg';

export interface PgListenerOptions {
  url: string;
  channels: string[];
  onNotify: (channel: string, payload: string) => void;
  /**
   * Called after every (re)connection, once LISTEN is in place: notifications sent while no connection listened are
   * lost, so a cache must treat a reconnect as "anything may have changed".
   */
  onConnected?: () => void;
  /** Called when the connection is lost (session state on it, such as an advisory lock, is gone with it). */
  onLost?: () => void;
  log?: (message: string) => void;
  /** Longest pause between reconnection attempts (doubling from 250 ms). */
  maxBackoffMs?: number;
}

/**
 * One dedicated connection that LISTENs on some channels and reconnects by itself with back-off. A pooled connection
 * cannot LISTEN (the pool hands it to others), so each listener holds its own.
 */
export class PgListener {
  private client: Client | null = null;
  private stopped = false;
  private backoffMs = 250;
  private retry: NodeJS.Timeout | null = null;
  private firstConnect: Promise<void> | null = null;

  constructor(private readonly options: PgListenerOptions) {}

  /** Resolves once the first LISTEN is in place, or rejects if the first connection fails (later failures retry). */
  start(): Promise<void> {
    this.firstConnect ??= this.connect();
    return this.firstConnect;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }

  /** The listening connection, for callers that need a session of their own (an advisory lock lives on it). */
  get connection(): Client | null {
    return this.client;
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.options.url, application_name: 'wardline-listener' });
    client.on('notification', (n) => this.options.onNotify(n.channel, n.payload ?? ''));
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    await client.connect();
    for (const channel of this.options.channels) await client.query(`LISTEN "${channel.replace(/"/g, '')}"`);
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.backoffMs = 250;
    this.options.onConnected?.();
  }

  private lost(client: Client, err: Error): void {
    if (this.client !== client || this.stopped) return;
    this.client = null;
    client.end().catch(() => undefined);
    this.options.onLost?.();
    this.options.log?.(`listener connection lost (${err.message}); reconnecting`);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retry) return;
    const wait = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 10_000);
    this.retry = setTimeout(() => {
      this.retry = null;
      this.connect().catch((err) => {
        this.options.log?.(`listener reconnect failed (${String(err)})`);
        this.scheduleReconnect();
      });
    }, wait);
    this.retry.unref();
  }
}
