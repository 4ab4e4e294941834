import { DISCORD_LIMITS } from '../../core/discord-limits.js';
import { sliceText } from '../../core/markdown.js';
import type { Paper } from '../../core/paper.js';
import { truncateAtWord, type SearchIndex } from '../../core/search.js';

/** An autocomplete choice as Discord takes it. */
export interface AutocompleteChoice {
  name: string;
  value: string;
}

/** Papers as autocomplete choices: at most 25, each title cut at a word (ending `…`) to fit, the paper id as value. */
export function toPaperChoices(papers: readonly Paper[]): AutocompleteChoice[] {
  return papers
    .slice(0, DISCORD_LIMITS.autocompleteChoices)
    .map((paper) => ({ name: truncateAtWord(paper.title, DISCORD_LIMITS.choiceName) || paper.id, value: paper.id }));
}

/** The autocomplete answer of a paper option: the index's suggestions for the typed text, as choices. */
export function suggestPaperChoices(index: SearchIndex, typed: string): AutocompleteChoice[] {
  return toPaperChoices(index.suggest(typed, { limit: DISCORD_LIMITS.autocompleteChoices }));
}

/** Keeps autocomplete answers within Discord's rules whatever a handler returned. */
export function sanitizeChoices(choices: readonly AutocompleteChoice[]): AutocompleteChoice[] {
  const seen = new Set<string>();
  const out: AutocompleteChoice[] = [];
  for (const choice of choices) {
    const name = sliceText(choice.name, DISCORD_LIMITS.choiceName);
    const value = sliceText(choice.value, DISCORD_LIMITS.choiceValue);
    if (!name || seen.has(value)) continue;
    seen.add(value);
    out.push({ name, value });
    if (out.length === DISCORD_LIMITS.autocompleteChoices) break;
  }
  return out;
}
