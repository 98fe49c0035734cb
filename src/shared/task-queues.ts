/** One task queue for the service processes; tests pass their own so parallel runs never share workers. */
export const DEFAULT_TASK_QUEUE = 'wardline';
