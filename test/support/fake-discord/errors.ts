/** A single validation problem at a JSON path, rendered into Discord's nested `errors` object. */
export interface Issue {
  path: Array<string | number>;
  code: string;
  message: string;
}

/** An error response the REST layer turns into `status` + JSON `body`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message ?? status));
    this.name = 'HttpError';
  }
}

/** Builds an error with Discord's `{ message, code }` JSON shape. */
export function apiError(status: number, code: number, message: string): HttpError {
  return new HttpError(status, { message, code });
}

/** Builds a 400 `50035 Invalid Form Body` error whose `errors` object nests issues like Discord does. */
export function formError(issues: Issue[]): HttpError {
  const errors: Record<string, unknown> = {};
  for (const issue of issues) {
    let node = errors;
    for (const key of issue.path) {
      const k = String(key);
      node[k] ??= {};
      node = node[k] as Record<string, unknown>;
    }
    const list = (node._errors ??= []) as Array<{ code: string; message: string }>;
    list.push({ code: issue.code, message: issue.message });
  }
  return new HttpError(400, { message: 'Invalid Form Body', code: 50035, errors });
}

/** Shorthand for an issue saying a string or array is too long. */
export function tooLong(path: Issue['path'], max: number): Issue {
  return { path, code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${max} or fewer in length.` };
}

/** Shorthand for an issue saying a length is outside `[min, max]`. */
export function badLength(path: Issue['path'], min: number, max: number): Issue {
  return { path, code: 'BASE_TYPE_BAD_LENGTH', message: `Must be between ${min} and ${max} in length.` };
}

/** Shorthand for an issue saying a value is required. */
export function required(path: Issue['path']): Issue {
  return { path, code: 'BASE_TYPE_REQUIRED', message: 'This field is required' };
}

/** Shorthand for an issue saying a value has the wrong type. */
export function wrongType(path: Issue['path'], type: string): Issue {
  return { path, code: `${type.toUpperCase()}_TYPE_COERCE`, message: `Value is not a valid ${type}.` };
}

/** Factories for the Discord errors the fake returns, named after Discord's JSON error codes. */
export const Errors = {
  unauthorized: () => apiError(401, 0, '401: Unauthorized'),
  notFound: () => apiError(404, 0, '404: Not Found'),
  methodNotAllowed: () => apiError(405, 0, '405: Method Not Allowed'),
  unknownApplication: () => apiError(404, 10002, 'Unknown Application'),
  unknownChannel: () => apiError(404, 10003, 'Unknown Channel'),
  unknownGuild: () => apiError(404, 10004, 'Unknown Guild'),
  unknownMember: () => apiError(404, 10007, 'Unknown Member'),
  unknownMessage: () => apiError(404, 10008, 'Unknown Message'),
  unknownRole: () => apiError(404, 10011, 'Unknown Role'),
  unknownUser: () => apiError(404, 10013, 'Unknown User'),
  unknownWebhook: () => apiError(404, 10015, 'Unknown Webhook'),
  unknownEmoji: () => apiError(400, 10014, 'Unknown Emoji'),
  unknownInteraction: () => apiError(404, 10062, 'Unknown interaction'),
  unknownCommand: () => apiError(404, 10063, 'Unknown application command'),
  alreadyAcknowledged: () => apiError(400, 40060, 'Interaction has already been acknowledged.'),
  missingAccess: () => apiError(403, 50001, 'Missing Access'),
  emptyMessage: () => apiError(400, 50006, 'Cannot send an empty message'),
  cannotEditOthers: () => apiError(403, 50005, 'Cannot edit a message authored by another user'),
  cannotDm: () => apiError(403, 50007, 'Cannot send messages to this user'),
  nonTextChannel: () => apiError(400, 50008, 'Cannot send messages in a non-text channel'),
  missingPermissions: () => apiError(403, 50013, 'Missing Permissions'),
  invalidChannelType: () => apiError(400, 50024, 'Cannot execute action on this channel type'),
  invalidWebhookToken: () => apiError(401, 50027, 'Invalid Webhook Token'),
  threadAlreadyCreated: () => apiError(400, 160004, 'A thread has already been created for this message'),
  invalidJson: () => apiError(400, 50109, 'The request body contains invalid JSON.'),
  serverError: (status: number) => apiError(status, 0, `${status}: ${status === 500 ? 'Internal Server Error' : 'Bad Gateway'}`),
};
