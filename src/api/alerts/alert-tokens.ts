/** Injection token of the process's AlertReceiver (built with the incident intake's gateway). */
export const ALERT_RECEIVER = Symbol('AlertReceiver');
