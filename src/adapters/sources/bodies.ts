/**
 * Says what a body that is not in the `expected` format is, for a warning: an HTML page (with its title), an empty
 * body, or else `otherwise`.
 */
export function describeBody(text: string, expected: string, otherwise: string): string {
  const head = text.slice(0, 4096).trimStart();
  if (!head) return 'an empty body';
  if (/^(?:<!doctype html|<html[\s>]|<head[\s>]|<body[\s>])/i.test(head)) {
    // An error page's title usually says what went wrong ("503 Service Unavailable").
    const title = /<title[^>]*>([^<]{1,200})<\/title>/i.exec(head)?.[1]?.replace(/\s+/g, ' ').trim();
    return `an HTML page instead of ${expected}${title ? ` ("${title}")` : ''}`;
  }
  return otherwise;
}
