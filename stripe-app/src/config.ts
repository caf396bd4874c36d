import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';

/** Where the app talks to when the manifest sets no constants (the production services). */
export const DEFAULT_API_BASE = 'https://api.userintuition.ai';
export const DEFAULT_APP_URL = 'https://app.userintuition.ai';

export interface AppSettings {
  /** The backend's origin; the routes live under `/stripe-app/`. */
  apiBase: string;
  /** The User Intuition web app. */
  appUrl: string;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

function constant(environment: ExtensionContextValue['environment'] | undefined, name: string): string | undefined {
  const constants = environment?.constants;
  if (!constants || typeof constants !== 'object' || Array.isArray(constants)) return undefined;
  const value = (constants as Record<string, unknown>)[name];
  return typeof value === 'string' && /^https?:\/\//.test(value) ? trimSlash(value) : undefined;
}

/**
 * The manifest's `constants` (`API_BASE`, `APP_URL`) choose the services, so that
 * stripe-app.dev.json can point the same views at a local backend.
 */
export function settingsOf(environment: ExtensionContextValue['environment'] | undefined): AppSettings {
  return {
    apiBase: constant(environment, 'API_BASE') ?? DEFAULT_API_BASE,
    appUrl: constant(environment, 'APP_URL') ?? DEFAULT_APP_URL,
  };
}

/** Where "Open User Intuition" leads: the Stripe integration of the workspace. */
export const integrationsUrl = (settings: AppSettings) => `${settings.appUrl}/integrations?provider=stripe`;
