import { readFileSync } from 'node:fs';

/** The User-Agent Paperboy's live fetch sends: its name, its version and what it is, as API etiquette asks. */
export function createUserAgent(): string {
  const { version, homepage } = readPackageInfo();
  // Without a homepage in package.json there is no address to name, and an invented one would mislead.
  return homepage ? `Paperboy/${version} (+${homepage}; digest bot)` : `Paperboy/${version} (research-paper digest bot for Discord)`;
}

function readPackageInfo(): { version: string; homepage: string | null } {
  try {
    // src/adapters/http and dist/adapters/http are both three levels below the package root.
    const parsed = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
      homepage?: unknown;
    };
    return {
      version: typeof parsed.version === 'string' ? parsed.version : 'unknown',
      homepage: typeof parsed.homepage === 'string' && /^https:\/\/\S+$/.test(parsed.homepage) ? parsed.homepage : null,
    };
  } catch {
    return { version: 'unknown', homepage: null };
  }
}
