/**
 * Data the rules cannot use (a discount whose coupon was not expanded, tiers not returned, a
 * price in another currency) is skipped rather than guessed; the caller gets a note to log or show.
 */
export type Warn = (message: string) => void;

export const ignoreWarnings: Warn = () => {};
