import type { CorpusWarning, Paper } from '../paper.js';

/** Where a corpus text comes from and the date that yearless dates are read against. */
export interface FormatContext {
  /** File name used in `source` and warnings. */
  file: string;
  /** `YYYY-MM-DD`: a date without a year is the latest such date not after this one. */
  referenceDate: string;
}

/** What a reader found for one paper: each part that looks right raises the confidence that it is a paper. */
export interface PaperEvidence {
  /** A line that reads as a title (not page chrome, a number, a date or a user name). */
  title: boolean;
  /** Prose: a sentence or a long paragraph. */
  abstract: boolean;
  /** A date, an author count or an organisation line. */
  footer: boolean;
  /** An arXiv id or a link to the paper's page. */
  link: boolean;
}

/** One paper as a reader found it, with how sure the reader is that it is a paper (0 to 1). */
export interface ReadPaper {
  paper: Paper;
  evidence: PaperEvidence;
  confidence: number;
}

/** The papers of one corpus text, in page order, and everything that could not be read as a paper. */
export interface FormatResult {
  papers: ReadPaper[];
  warnings: CorpusWarning[];
}

/**
 * One corpus format: `detect` says from the content how sure it is that a text is in this format (0 = not at all,
 * 1 = certain; the file name is only a hint), and `parse` reads it without ever throwing on bad input.
 */
export interface CorpusFormat {
  /** Short stable name, shown by `paperboy corpus` (kebab-case). */
  name: string;
  /** What the format is, in a few words, for messages. */
  description: string;
  /**
   * `headLines`: the text's first lines as `splitHeadLines` (text.ts) gives them, when the caller has them already (the
   * registry splits once for every detector); a detector splits them itself otherwise.
   */
  detect(text: string, fileName: string, headLines?: readonly string[]): number;
  parse(text: string, context: FormatContext): FormatResult;
}
