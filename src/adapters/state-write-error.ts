import { OperatorError } from '../core/errors.js';

/** A write could not be committed (disk full, read-only, database down); memory keeps the last committed state. */
export class StateWriteError extends OperatorError {
  constructor(
    /** The database: a file, or a PostgreSQL URL without its password. */
    readonly file: string,
    readonly code: string | undefined,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'StateWriteError';
  }
}
