/**
 * A problem that a person running Paperboy must fix or know about (the configuration, the state file or its lock,
 * the corpus directory, the Discord token or connection): its message says what happened and what to do, so it is
 * shown as it is, without a stack trace. It lives in the core because the core's own StateFileError is one.
 */
export class OperatorError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OperatorError';
  }
}
