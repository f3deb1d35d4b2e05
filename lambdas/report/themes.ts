/**
 * The voice of the customer: comment themes from a transparent keyword taxonomy, sentiment from
 * the score the customer gave (not from the words), and representative quotes that identify nobody.
 */
import { z } from 'zod';
import defaultTaxonomyJson from './themes.default.json' with { type: 'json' };

export const themeTaxonomySchema = z.object({
  description: z.string().optional(),
  themes: z
    .array(
      z.object({
        id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be lower-case letters, digits and underscores'),
        label: z.string().min(1),
        /** Keywords or phrases per language code; a trailing `*` matches any word ending. */
        keywords: z.record(z.string(), z.array(z.string().min(1))),
      }),
    )
    .min(1, 'must declare at least one theme'),
});
export type ThemeTaxonomy = z.infer<typeof themeTaxonomySchema>;

export const DEFAULT_TAXONOMY: ThemeTaxonomy = themeTaxonomySchema.parse(defaultTaxonomyJson);

/** Comments that match no theme are counted under this id. */
export const OTHER_THEME = { id: 'other', label: 'Other topics' } as const;

/** Quote length bounds, in characters after trimming: shorter says nothing, longer is not read. */
export const QUOTE_MIN_CHARS = 30;
export const QUOTE_MAX_CHARS = 280;
/** Quotes shown per sentiment. */
export const QUOTES_PER_SIDE = 3;

export type Sentiment = 'positive' | 'neutral' | 'negative';

/** One commented survey answer, as read from survey_responses_latest. */
export interface CommentedResponse {
  readonly survey_kind: string;
  readonly score: number;
  readonly scale_min: number;
  readonly scale_max: number;
  readonly higher_is_better: boolean;
  readonly comment: string;
}

export interface ThemeCount {
  readonly id: string;
  readonly label: string;
  readonly total: number;
  readonly positive: number;
  readonly neutral: number;
  readonly negative: number;
}

export interface Quote {
  readonly text: string;
  readonly sentiment: Sentiment;
  readonly themes: readonly string[];
  readonly survey_kind: string;
  readonly score: number;
}

/**
 * Sentiment of an answer from its score. NPS-style 0-10 questions (nps, enps): promoters 9-10 are
 * positive, detractors 0-6 negative. Other scales: the top-two boxes in the good direction are
 * positive and the bottom-two negative (top and bottom box on scales of three points or fewer, so
 * good/bad ratings split cleanly).
 */
export function sentimentOf(
  response: Pick<CommentedResponse, 'survey_kind' | 'score' | 'scale_min' | 'scale_max' | 'higher_is_better'>,
): Sentiment {
  const { score, scale_min: min, scale_max: max } = response;
  if (response.survey_kind === 'nps' || response.survey_kind === 'enps') {
    if (score >= 9) return 'positive';
    return score <= 6 ? 'negative' : 'neutral';
  }
  const good = response.higher_is_better ? score - min : max - score;
  const points = Math.round(max - min) + 1;
  const box = points <= 3 ? 1 : 2;
  if (good > points - 1 - box) return 'positive';
  if (good < box) return 'negative';
  return 'neutral';
}

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}/gu;
const URL = /\b(?:https?:\/\/|www\.)\S+/giu;
const PHONE = /(?:\+|\b00)?\d[\d\s().-]{7,}\d/gu;
const LONG_DIGITS = /\d{5,}/gu;
const HANDLE = /(?<![\p{L}\p{N}])@[\p{L}\p{N}_]{2,}/gu;

/**
 * Removes what could identify a person: e-mail addresses, URLs, phone numbers, social handles and
 * any run of five or more digits (order, account, card or ticket numbers).
 */
export function pseudonymiseText(text: string): string {
  return text
    .replace(EMAIL, '[e-mail]')
    .replace(URL, '[link]')
    .replace(PHONE, '[number]')
    .replace(LONG_DIGITS, '[number]')
    .replace(HANDLE, '[handle]');
}

/** Titles followed by a capitalised word name a person ("Mr Dupont", "Mme Martin"). */
const NAMED_PERSON = /(?<!\p{L})(?:[Mm](?:rs?|s|iss|me|lle|onsieur|adame)|[Dd]r)\.?\s+\p{Lu}/u;

interface CompiledTheme {
  readonly id: string;
  readonly label: string;
  readonly patterns: readonly RegExp[];
}

/** Folds case and accents so "Délai" matches the keyword "delai*". */
export function foldText(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function compile(taxonomy: ThemeTaxonomy): CompiledTheme[] {
  return taxonomy.themes.map((theme) => ({
    id: theme.id,
    label: theme.label,
    patterns: Object.values(theme.keywords)
      .flat()
      .map((keyword) => {
        const folded = foldText(keyword.trim());
        const stem = folded.endsWith('*');
        const body = (stem ? folded.slice(0, -1) : folded)
          .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
          .replace(/\s+/g, '\\s+');
        return new RegExp(`(?<![\\p{L}\\p{N}])${body}${stem ? '[\\p{L}\\p{N}]*' : ''}(?![\\p{L}\\p{N}])`, 'u');
      }),
  }));
}

/** Ids of the themes a comment mentions, in taxonomy order. */
export function themesOf(comment: string, taxonomy: ThemeTaxonomy = DEFAULT_TAXONOMY): string[] {
  return matchThemes(foldText(comment), compile(taxonomy));
}

function matchThemes(folded: string, themes: readonly CompiledTheme[]): string[] {
  return themes.filter((t) => t.patterns.some((p) => p.test(folded))).map((t) => t.id);
}

export interface VoiceAnalysis {
  readonly commented: number;
  readonly sentiment: Readonly<Record<Sentiment, number>>;
  /** Themes with at least one comment, most mentioned first; unmatched comments count under "other". */
  readonly themes: readonly ThemeCount[];
  readonly quotes: { readonly positive: readonly Quote[]; readonly negative: readonly Quote[] };
}

/** Counts themes per sentiment and picks representative, non-identifying quotes. */
export function analyseComments(
  responses: readonly CommentedResponse[],
  taxonomy: ThemeTaxonomy = DEFAULT_TAXONOMY,
): VoiceAnalysis {
  const compiled = compile(taxonomy);
  const counts = new Map<string, { label: string; positive: number; neutral: number; negative: number }>();
  for (const t of [...compiled, OTHER_THEME])
    counts.set(t.id, { label: t.label, positive: 0, neutral: 0, negative: 0 });
  const sentiment: Record<Sentiment, number> = { positive: 0, neutral: 0, negative: 0 };
  const candidates: (Quote & { rank: number })[] = [];
  let commented = 0;
  for (const response of responses) {
    const text = response.comment.trim().replace(/\s+/g, ' ');
    if (text === '') continue;
    commented++;
    const feeling = sentimentOf(response);
    sentiment[feeling]++;
    const themes = matchThemes(foldText(text), compiled);
    for (const id of themes.length > 0 ? themes : [OTHER_THEME.id]) {
      const count = counts.get(id);
      if (count) count[feeling]++;
    }
    const quotable = feeling === 'neutral' ? null : quotableText(text);
    if (quotable !== null) {
      const rank = informativeness(quotable, themes) - (quotable === text ? 0 : REDACTED_PENALTY);
      candidates.push({
        text: quotable,
        sentiment: feeling,
        themes,
        survey_kind: response.survey_kind,
        score: response.score,
        rank,
      });
    }
  }
  const themes = [...counts.entries()]
    .map(([id, c]) => ({ id, ...c, total: c.positive + c.neutral + c.negative }))
    .filter((t) => t.total > 0)
    .sort((a, b) => b.total - a.total || a.label.localeCompare(b.label));
  return {
    commented,
    sentiment,
    themes,
    quotes: { positive: pickQuotes(candidates, 'positive'), negative: pickQuotes(candidates, 'negative') },
  };
}

/** Comments that had identifiers removed are quoted only when no clean comment is left. */
const REDACTED_PENALTY = 1000;

/**
 * The text a comment may be quoted as, or null: within the length bounds, never naming a person,
 * and always pseudonymised.
 */
export function quotableText(text: string): string | null {
  if (text.length < QUOTE_MIN_CHARS || text.length > QUOTE_MAX_CHARS || NAMED_PERSON.test(text)) return null;
  return pseudonymiseText(text);
}

/** Comments that name topics and say something in a few sentences rank first. */
function informativeness(text: string, themes: readonly string[]): number {
  const words = text.split(' ').length;
  return themes.length * 10 + Math.min(words, 40);
}

/** The highest-ranked quotes, spreading across themes before repeating one. */
function pickQuotes(candidates: readonly (Quote & { rank: number })[], side: Sentiment): Quote[] {
  const sorted = candidates
    .filter((c) => c.sentiment === side)
    .sort((a, b) => b.rank - a.rank || a.text.localeCompare(b.text));
  const picked: Quote[] = [];
  const seenThemes = new Set<string>();
  for (const pass of ['new-theme', 'any'] as const) {
    for (const candidate of sorted) {
      if (picked.length >= QUOTES_PER_SIDE) break;
      if (picked.some((p) => p.text === candidate.text)) continue;
      const lead = candidate.themes[0] ?? OTHER_THEME.id;
      if (pass === 'new-theme' && seenThemes.has(lead)) continue;
      seenThemes.add(lead);
      const { rank: _rank, ...quote } = candidate;
      picked.push(quote);
    }
  }
  return picked;
}
