import { defineSignal } from '@temporalio/workflow';
import type { AlertGroupNews, AlertNote } from '../domain/alerts/news';

/** Kept under their message names for the intake; the types live in the domain, which decides what they mean. */
export type AlertBrief = AlertNote;
export type AlertGroupChange = AlertGroupNews;

/** What changed in an incident's alert group (P3), sent through the workflow outbox in order. */
export const alertGroupSignal = defineSignal<[AlertGroupNews]>('alertGroupChange');
export const ALERT_GROUP_SIGNAL_NAME = 'alertGroupChange';
