import type { BadgeProps } from '@stripe/ui-extension-sdk/ui';
import type { AppParticipant, StripeConnection } from '@ui/shared';

export type ConnectionStatus = NonNullable<StripeConnection['status']>;

interface StatusWords {
  label: string;
  badge: NonNullable<BadgeProps['type']>;
  description: string;
}

/** Each connection status as the merchant should understand it. */
export const CONNECTION_STATUS: Record<ConnectionStatus, StatusWords> = {
  pending: {
    label: 'Waiting to sync',
    badge: 'info',
    description: 'Your first sync is queued and starts shortly.',
  },
  syncing: {
    label: 'Syncing',
    badge: 'info',
    description: 'Importing your products, subscriptions and customers. You can leave this page: the sync carries on.',
  },
  segments_synced: {
    label: 'Importing customers',
    badge: 'info',
    description: 'Your segments are ready. Customers and their revenue are still being imported.',
  },
  complete: {
    label: 'Up to date',
    badge: 'positive',
    description: 'Your customers are in your research panel and stay current as they change in Stripe.',
  },
  disconnected: {
    label: 'Disconnected',
    badge: 'neutral',
    description: 'User Intuition no longer reads your Stripe data. Participants imported earlier stay in User Intuition. To sync again, connect Stripe from User Intuition.',
  },
  needs_reauth: {
    label: 'Reconnect needed',
    badge: 'urgent',
    description: 'User Intuition can no longer read your Stripe data because its access expired or was revoked. Connect Stripe again from User Intuition to resume syncing.',
  },
};

/** A sync is under way: figures are still moving. */
export const isSyncing = (status: ConnectionStatus | null | undefined) => status === 'pending' || status === 'syncing' || status === 'segments_synced';

export const PARTICIPANT_STATUS: Record<AppParticipant['status'], { label: string; badge: NonNullable<BadgeProps['type']> }> = {
  active: { label: 'Active subscriber', badge: 'positive' },
  trial: { label: 'On trial', badge: 'info' },
  churned: { label: 'Churned', badge: 'warning' },
  none: { label: 'No subscription', badge: 'neutral' },
};

const INVITE_STATUS: Record<string, string> = {
  pending: 'Waiting to send',
  queued: 'Waiting to send',
  sending: 'Sending',
  sent: 'Invited',
  delivered: 'Invited',
  opened: 'Opened the invite',
  started: 'Interview started',
  completed: 'Interview completed',
  failed: 'Could not be delivered',
  bounced: 'Email bounced',
  cancelled: 'Cancelled',
  canceled: 'Cancelled',
  expired: 'Expired',
  declined: 'Declined',
};

const sentence = (code: string) => {
  const words = code.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

export const inviteStatusLabel = (status: string) => INVITE_STATUS[status] ?? sentence(status);

const SYNC_OBJECTS: Record<string, string> = {
  products: 'Products',
  prices: 'Prices',
  subscriptions: 'Subscriptions',
  customers: 'Customers',
  invoices: 'Invoices',
  credit_notes: 'Credit notes',
  coupons: 'Coupons',
};

/** A `sync_progress` key (`customers`, `credit_notes`, …) as a heading. */
export const syncObjectLabel = (key: string) => SYNC_OBJECTS[key] ?? sentence(key);
