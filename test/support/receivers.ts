import { IncomingHttpHeaders, Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { SMTPServer, SMTPServerOptions, SMTPServerSession } from 'smtp-server';
import { afterAll, afterEach, beforeAll } from '@jest/globals';

/** Real servers on loopback that stand where the hospital's mail relay, WeCom, DingTalk and webhooks would. */
// ---------- loopback receivers ----------

export interface Received {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  text: string;
  /** Arrival time, for rate checks. */
  at: number;
}

export type Reply = { status: number; body?: unknown } | 'hang';

export interface Receiver {
  base: string;
  requests: Received[];
  reply: (req: Received) => Reply;
  close(): Promise<void>;
}

const ROBOT_OK: Receiver['reply'] = () => ({ status: 200, body: { errcode: 0, errmsg: 'ok' } });

/** An HTTP receiver on loopback; `into` lets a suite hand out the object before the server exists. */
export async function startReceiver(into: Partial<Receiver> = {}): Promise<Receiver> {
  const receiver = Object.assign(into, { requests: [] as Received[], reply: into.reply ?? ROBOT_OK });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const received: Received = { at: Date.now(), method: req.method ?? '', url: new URL(req.url ?? '/', 'http://127.0.0.1'), headers: req.headers, raw, text: raw.toString('utf8') };
      receiver.requests.push(received);
      const reply = receiver.reply(received);
      if (reply === 'hang') return;
      const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
      res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

export interface ReceivedMail {
  raw: Buffer;
  from: string;
  to: string[];
  user: unknown;
  secure: boolean;
}

export async function startSmtp(options: SMTPServerOptions): Promise<{ port: number; mails: ReceivedMail[]; close(): Promise<void> }> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    ...options,
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const mailFrom = session.envelope.mailFrom;
        mails.push({
          raw: Buffer.concat(chunks),
          from: mailFrom ? mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user,
          secure: session.secure,
        });
        callback(null, 'queued as TEST-1');
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Just enough MIME for one text/plain part: unfolded headers, RFC 2047 words, base64 or quoted-printable bodies. */
export function parseMail(raw: Buffer): { headers: Map<string, string>; text: string } {
  const source = raw.toString('latin1');
  const split = source.indexOf('\r\n\r\n');
  const headers = new Map<string, string>();
  for (const line of source.slice(0, split).replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), decodeWords(line.slice(colon + 1).trim()));
  }
  const body = source.slice(split + 4);
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  let bytes: Buffer;
  if (encoding === 'base64') bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  else if (encoding === 'quoted-printable') bytes = qpBytes(body.replace(/=\r\n/g, ''));
  else bytes = Buffer.from(body, 'latin1');
  return { headers, text: bytes.toString('utf8').replace(/\r\n/g, '\n').replace(/\n$/, '') };
}

function qpBytes(text: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=' && /^[0-9A-F]{2}$/i.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(text.charCodeAt(i));
  }
  return Buffer.from(out);
}

function decodeWords(value: string): string {
  const latin = value.replace(/(\?=)\s+(=\?)/g, '$1$2');
  const decoded = latin.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, _charset: string, kind: string, data: string) =>
    (kind.toUpperCase() === 'B' ? Buffer.from(data, 'base64') : qpBytes(data.replace(/_/g, ' '))).toString('latin1'),
  );
  return Buffer.from(decoded, 'latin1').toString('utf8');
}


/** One receiver for a describe block: started before its tests, emptied and given `reply` back after each, closed at the end. */
export function suiteReceiver(reply: Receiver['reply'] = ROBOT_OK): Receiver {
  const rx = { reply } as Receiver;
  beforeAll(async () => {
    await startReceiver(rx);
  });
  afterEach(() => {
    rx.requests.length = 0;
    rx.reply = reply;
  });
  afterAll(() => rx.close());
  return rx;
}
