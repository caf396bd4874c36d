/** Durations in seconds, as Stripe's timestamps count them. */
export const MINUTE = 60;
export const HOUR = 3_600;
export const DAY = 86_400;
export const MONTH = 30.44 * DAY;
export const TRIAL_DAYS = 14;
/** Stripe finalizes a renewal invoice about an hour after creating it. */
export const FINALIZE_DELAY = HOUR;
