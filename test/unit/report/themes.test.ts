import { describe, expect, it } from 'vitest';
import {
  analyseComments,
  type CommentedResponse,
  DEFAULT_TAXONOMY,
  pseudonymiseText,
  QUOTE_MAX_CHARS,
  quotableText,
  sentimentOf,
  themesOf,
  themeTaxonomySchema,
} from '../../../lambdas/report/themes.ts';

const answer = (
  survey_kind: string,
  score: number,
  comment: string,
  scale: [number, number] = [1, 5],
  higher_is_better = true,
): CommentedResponse => ({
  survey_kind,
  score,
  scale_min: scale[0],
  scale_max: scale[1],
  higher_is_better,
  comment,
});

describe('sentimentOf', () => {
  it('splits NPS answers into promoters, passives and detractors', () => {
    expect([10, 9, 8, 7, 6, 0].map((s) => sentimentOf(answer('nps', s, '', [0, 10])))).toEqual([
      'positive',
      'positive',
      'neutral',
      'neutral',
      'negative',
      'negative',
    ]);
  });

  it('uses the top-two and bottom-two boxes on a 1-5 scale', () => {
    expect([5, 4, 3, 2, 1].map((s) => sentimentOf(answer('csat', s, '')))).toEqual([
      'positive',
      'positive',
      'neutral',
      'negative',
      'negative',
    ]);
  });

  it('follows the direction of a legacy effort scale where lower is easier', () => {
    expect(sentimentOf(answer('ces', 1, '', [1, 5], false))).toBe('positive');
    expect(sentimentOf(answer('ces', 5, '', [1, 5], false))).toBe('negative');
  });

  it('splits good/bad ratings cleanly', () => {
    expect(sentimentOf(answer('csat', 1, '', [0, 1]))).toBe('positive');
    expect(sentimentOf(answer('csat', 0, '', [0, 1]))).toBe('negative');
  });
});

describe('themesOf', () => {
  it('matches English and French keywords regardless of case and accents', () => {
    expect(themesOf('I WAITED forever on hold')).toContain('waiting_time');
    expect(themesOf('Délai de remboursement trop long')).toEqual(
      expect.arrayContaining(['waiting_time', 'billing_refund']),
    );
  });

  it('matches whole words only, with * as a word ending', () => {
    expect(themesOf('the appliance is great')).not.toContain('digital_self_service');
    expect(themesOf('the app is great')).toContain('digital_self_service');
    expect(themesOf('refunded at last')).toContain('billing_refund');
  });

  it('uses a custom taxonomy', () => {
    const taxonomy = themeTaxonomySchema.parse({
      themes: [{ id: 'parking', label: 'Parking', keywords: { en: ['car park'] } }],
    });
    expect(themesOf('No space in the car  park', taxonomy)).toEqual(['parking']);
  });

  it('fails when a taxonomy has no theme or a bad id', () => {
    expect(themeTaxonomySchema.safeParse({ themes: [] }).success).toBe(false);
    expect(themeTaxonomySchema.safeParse({ themes: [{ id: 'Bad Id', label: 'x', keywords: {} }] }).success).toBe(false);
  });

  it('ships a default taxonomy with English and French keywords for every theme', () => {
    for (const theme of DEFAULT_TAXONOMY.themes) {
      expect(theme.keywords.en?.length, theme.id).toBeGreaterThan(0);
      expect(theme.keywords.fr?.length, theme.id).toBeGreaterThan(0);
    }
  });
});

describe('pseudonymiseText', () => {
  it('removes e-mails, phone numbers, long digit runs, links and handles', () => {
    const text = pseudonymiseText(
      'Mail jane.doe@example.co.uk or call +33 6 12 34 56 78 / 020 7946 0958, order 123456789, see https://x.example/a @janed',
    );
    expect(text).toBe('Mail [e-mail] or call [number] / [number], order [number], see [link] [handle]');
  });

  it('keeps short numbers that identify nobody', () => {
    expect(pseudonymiseText('waited 45 minutes, 3 transfers')).toBe('waited 45 minutes, 3 transfers');
  });
});

describe('quotableText', () => {
  it('rejects comments that are too short, too long, or name a person', () => {
    expect(quotableText('ok')).toBeNull();
    expect(quotableText('x'.repeat(QUOTE_MAX_CHARS + 1))).toBeNull();
    expect(quotableText('Mrs Jones on the phone was very helpful and kind to me')).toBeNull();
  });

  it('pseudonymises what it accepts', () => {
    expect(quotableText('Please call me on 07700 900123, the parcel never came')).toBe(
      'Please call me on [number], the parcel never came',
    );
  });
});

describe('analyseComments', () => {
  const responses = [
    answer('csat', 5, 'Friendly agent, quick and helpful, fixed the refund issue today.'),
    answer('csat', 1, 'Waited an hour on hold and nobody could explain the invoice to me.'),
    answer('csat', 1, 'Write to me at someone@example.com, the parcel with order 99887766 never arrived.'),
    answer('nps', 7, 'Average experience, the website was a bit confusing at first.', [0, 10]),
    answer('csat', 4, 'Merci, très aimable et rapide, problème résolu.'),
    answer('csat', 2, 'Lorem ipsum dolor sit amet consectetur adipiscing elit sed do.'),
    answer('csat', 5, '   '),
  ];
  const result = analyseComments(responses);

  it('counts commented answers and sentiment from the score, ignoring blank comments', () => {
    expect(result.commented).toBe(6);
    expect(result.sentiment).toEqual({ positive: 2, neutral: 1, negative: 3 });
  });

  it('counts each theme per sentiment, most mentioned first, unmatched under Other topics', () => {
    const byId = new Map(result.themes.map((t) => [t.id, t]));
    expect(byId.get('waiting_time')).toMatchObject({ total: 3, positive: 2, negative: 1 });
    expect(byId.get('other')).toMatchObject({ total: 1, negative: 1, label: 'Other topics' });
    const totals = result.themes.map((t) => t.total);
    expect(totals).toEqual([...totals].sort((a, b) => b - a));
  });

  it('quotes clean comments first and never shows an identifier', () => {
    const all = [...result.quotes.positive, ...result.quotes.negative];
    expect(result.quotes.positive.map((q) => q.score)).toEqual([5, 4]);
    expect(result.quotes.negative[0]?.text).toBe('Waited an hour on hold and nobody could explain the invoice to me.');
    for (const q of all) {
      expect(q.text).not.toMatch(/@|\d{5,}/);
      expect(q.sentiment).not.toBe('neutral');
    }
    const redacted = result.quotes.negative.find((q) => q.text.includes('[e-mail]'));
    expect(redacted?.text).toBe('Write to me at [e-mail], the parcel with order [number] never arrived.');
  });

  it('returns nothing to show when there are no comments', () => {
    expect(analyseComments([])).toMatchObject({ commented: 0, themes: [], quotes: { positive: [], negative: [] } });
  });
});
