/** Types for the untyped CommonJS `vader-sentiment` package (a port of VADER, Hutto & Gilbert 2014). */
declare module 'vader-sentiment' {
  interface PolarityScores {
    readonly neg: number;
    readonly neu: number;
    readonly pos: number;
    /** Normalised sum of the lexicon valences, in [-1, 1]. */
    readonly compound: number;
  }
  const vader: {
    readonly SentimentIntensityAnalyzer: { polarity_scores(text: string): PolarityScores };
  };
  export default vader;
}
