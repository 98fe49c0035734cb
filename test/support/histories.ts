import { temporal } from '@temporalio/proto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Recorded workflow histories (test/histories/<type>/<case>.json), written by `npm run histories:record` and
 * replayed by test/histories.replay.test.ts.
 *
 * The files hold the protobufjs object form of `temporal.api.history.v1.History` (int64 as strings, enums by
 * name, bytes as base64), converted with @temporalio/proto's own classes. The SDK's historyToJSON/historyFromJSON
 * cannot be used here: npm nests a separate protobufjs 8 under each @temporalio package (the top level holds
 * @grpc/proto-loader's protobufjs 7), and protojson's `instanceof Type` check fails across the copies.
 */
export type History = temporal.api.history.v1.IHistory;

export const HISTORIES_DIR = resolve(__dirname, '..', 'histories');

export function historyToFileJson(history: History): string {
  const object = temporal.api.history.v1.History.toObject(temporal.api.history.v1.History.fromObject(history), {
    longs: String,
    enums: String,
    bytes: String,
  });
  // One event per line: compact, and a re-recorded history still diffs event by event in review.
  const events = (object.events ?? []) as unknown[];
  return `{"events":[\n${events.map((e) => JSON.stringify(e)).join(',\n')}\n]}\n`;
}

export function historyFromFileJson(text: string): temporal.api.history.v1.History {
  return temporal.api.history.v1.History.fromObject(JSON.parse(text));
}

export interface RecordedHistory {
  /** "<type>/<file name without .json>" */
  name: string;
  /** The directory: incident, escalation, robot-outbox, change, modification. */
  type: string;
  file: string;
  history: temporal.api.history.v1.History;
}

/** The workflow type a history directory holds: robot-outbox → robotOutboxWorkflow. */
export function workflowTypeOfDir(dir: string): string {
  return `${dir.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())}Workflow`;
}

export function loadRecordedHistories(root = HISTORIES_DIR): RecordedHistory[] {
  const out: RecordedHistory[] = [];
  for (const type of readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    for (const name of readdirSync(join(root, type)).filter((f) => f.endsWith('.json')).sort()) {
      const file = join(root, type, name);
      out.push({ name: `${type}/${name.replace(/\.json$/, '')}`, type, file, history: historyFromFileJson(readFileSync(file, 'utf8')) });
    }
  }
  return out;
}
