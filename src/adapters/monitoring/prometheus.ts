/**
 * The port to the hospital's Prometheus (P2): instant and range queries over its HTTP API
 * (https://prometheus.io/docs/prometheus/latest/querying/api/). Every call has its own timeout, shorter than the
 * activity or request that makes it, and fails with a typed error rather than hanging.
 */
export interface PrometheusSeries {
  metric: Record<string, string>;
  /** [epoch ms, value]; Prometheus's NaN and ±Inf come through as numbers. */
  points: [number, number][];
}

export interface PrometheusPort {
  readonly url: string;
  /** An instant vector at `at` (epoch ms). */
  query(promql: string, at: number): Promise<PrometheusSeries[]>;
  /** A range matrix from `start` to `end` every `stepMs`. */
  queryRange(promql: string, start: number, end: number, stepMs: number): Promise<PrometheusSeries[]>;
}

export class PrometheusError extends Error {
  constructor(
    message: string,
    /** `unavailable`: no answer in time or a connection failure; `rejected`: Prometheus refused the query. */
    readonly kind: 'unavailable' | 'rejected',
  ) {
    super(message);
    this.name = 'PrometheusError';
  }
}

/** Prometheus refuses a range of more than 11,000 points per series. */
export const MAX_POINTS = 11_000;

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function toNumber(v: string): number {
  if (v === '+Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return Number(v);
}

export class PrometheusHttp implements PrometheusPort {
  constructor(
    readonly url: string,
    private readonly options: { timeoutMs: number; token?: string },
  ) {}

  async query(promql: string, at: number): Promise<PrometheusSeries[]> {
    const data = await this.call('/api/v1/query', { query: promql, time: seconds(at) });
    if (data.resultType === 'scalar') return [{ metric: {}, points: [[data.result[0] * 1000, toNumber(data.result[1])]] }];
    if (data.resultType !== 'vector') throw new PrometheusError(`expected a vector from ${promql}, got ${data.resultType}`, 'rejected');
    return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({
      metric: r.metric,
      points: [[Math.round(r.value[0] * 1000), toNumber(r.value[1])]],
    }));
  }

  async queryRange(promql: string, start: number, end: number, stepMs: number): Promise<PrometheusSeries[]> {
    if (!(stepMs > 0) || end < start) throw new PrometheusError('a range needs start ≤ end and a positive step', 'rejected');
    if ((end - start) / stepMs > MAX_POINTS) throw new PrometheusError(`more than ${MAX_POINTS} points per series: widen the step`, 'rejected');
    const data = await this.call('/api/v1/query_range', { query: promql, start: seconds(start), end: seconds(end), step: seconds(stepMs) });
    if (data.resultType !== 'matrix') throw new PrometheusError(`expected a matrix from ${promql}, got ${data.resultType}`, 'rejected');
    return (data.result as { metric: Record<string, string>; values: [number, string][] }[]).map((r) => ({
      metric: r.metric,
      points: r.values.map(([t, v]) => [Math.round(t * 1000), toNumber(v)] as [number, number]),
    }));
  }

  /** POST keeps long PromQL out of URLs and logs. */
  private async call(path: string, params: Record<string, string>): Promise<{ resultType: string; result: any }> {
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
        },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (err) {
      const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs} ms` : String((err as Error).cause ?? err);
      throw new PrometheusError(`Prometheus at ${this.url} is unavailable: ${reason}`, 'unavailable');
    }
    const text = await res.text();
    let body: { status?: string; data?: { resultType: string; result: any }; error?: string; errorType?: string };
    try {
      body = JSON.parse(text);
    } catch {
      throw new PrometheusError(`Prometheus at ${this.url} answered ${res.status} with no JSON`, res.status >= 500 ? 'unavailable' : 'rejected');
    }
    if (body.status !== 'success' || !body.data) {
      throw new PrometheusError(`Prometheus refused the query (${body.errorType ?? res.status}): ${body.error ?? text.slice(0, 200)}`, res.status >= 500 && body.errorType !== 'execution' ? 'unavailable' : 'rejected');
    }
    return body.data;
  }
}
