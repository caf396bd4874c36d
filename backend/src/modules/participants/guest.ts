/**
 * Guest customers (`gcus_…`) are Stripe's checkout guests: the Customers API cannot read them,
 * so their figures come from imports and no sync may overwrite or question them.
 */
export const isGuest = (customerId: string | null | undefined): boolean => Boolean(customerId?.startsWith('gcus_'));
