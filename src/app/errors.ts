/** An expected problem whose message is meant for the member who caused it (shown ephemerally, not logged as a bug). */
export class UserFacingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserFacingError';
  }
}
