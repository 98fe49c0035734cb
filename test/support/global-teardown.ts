import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const stops = (globalThis as { __wardlineStops?: (() => Promise<void>)[] }).__wardlineStops ?? [];
  for (const stop of stops.reverse()) await stop();
  if (process.env.WARDLINE_TEST_WORKFLOW_BUNDLE) rmSync(process.env.WARDLINE_TEST_WORKFLOW_BUNDLE, { force: true });
}
