/**
 * What the view tests ask of the real backend they run against (test/stripe-app/support/
 * view-backend.ts implements it): a listening instance of the app with the Stripe emulator
 * behind it, and ways to put a Stripe account in each state a view must show.
 */
export type ConnectionStatus = 'pending' | 'syncing' | 'segments_synced' | 'complete' | 'disconnected' | 'needs_reauth';

export interface SignedUser {
  user_id: string;
  account_id: string;
}

export interface SeedSegment {
  key: string;
  name: string;
  participantCount: number;
  mrrByCurrency: Record<string, number>;
}

export interface SeedParticipant {
  customerId: string;
  name?: string | null;
  email?: string | null;
  currency?: string | null;
  mrr?: number;
  ltv?: number;
  plan?: string | null;
  status?: 'active' | 'trial' | 'churned' | 'none';
  /** Keys of seeded segments this participant belongs to. */
  segments?: string[];
  signupAt?: string | null;
  lastSyncedAt?: string | null;
  lastSyncError?: string | null;
  deletedInStripe?: boolean;
}

export interface ConnectionChanges {
  status?: ConnectionStatus;
  lastSyncStartedAt?: string | null;
  lastSyncFinishedAt?: string | null;
  statusMessages?: { code: string; message: string }[];
  lastError?: string | null;
  syncProgress?: Record<string, number>;
  /** Moves the claim code's expiry into the past. */
  expireClaimCode?: boolean;
}

export interface InstalledAccount {
  accountId: string;
  connectionId: string;
  /** Set while unclaimed. */
  claimCode: string | null;
}

export interface ViewBackend {
  /** The backend's origin, e.g. `http://127.0.0.1:54321`; the views add `/stripe-app/…`. */
  url: string;
  /** The app signing secret the backend accepts. */
  secret: string;
  /** A `Stripe-Signature` header as Stripe's host would produce it for this user. */
  sign(user: SignedUser, options?: { secret?: string; timestamp?: number }): string;
  /** A Stripe account with no install at all. */
  freshAccount(): string;
  /** Installs the app on a new account: from the Dashboard (unclaimed) or linked to a new workspace. */
  install(options: { linked: boolean }): Promise<InstalledAccount>;
  updateConnection(connectionId: string, changes: ConnectionChanges): Promise<void>;
  seedPanel(connectionId: string, panel: { segments?: SeedSegment[]; participants?: SeedParticipant[] }): Promise<void>;
  /** Disconnects the way User Intuition's integrations page does. */
  disconnectFromUserIntuition(connectionId: string): Promise<void>;
  connectionStatus(connectionId: string): Promise<ConnectionStatus>;
  queuedSyncs(connectionId: string): Promise<number>;
  /** Drops every queued sync (none run in view tests), so that a test sees only the ones it causes. */
  clearQueuedSyncs(): Promise<void>;
  close(): Promise<void>;
}
