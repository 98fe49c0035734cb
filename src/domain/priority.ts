/** Incident priorities (S10): P1 stops clinical work, P4 is a question. Their own module, so the SLA policy and the escalation rules can both use them without importing each other. */
export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Priority = (typeof PRIORITIES)[number];
