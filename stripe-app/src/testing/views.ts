import type { ComponentType } from 'react';
import { createElement } from 'react';
import { vi } from 'vitest';
import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import { getMockContextProps, render } from '@stripe/ui-extension-sdk/testing';
import { Button, Link } from '@stripe/ui-extension-sdk/ui';
import type { ViewBackend } from './backend-contract';

type Wrapper = ReturnType<typeof render>['wrapper'];
type TreeNode = Wrapper['children'][number];

export const TEST_APP_URL = 'http://app.test';

/**
 * Plays the Stripe Dashboard's part: the SDK's `fetchStripeSignature()` asks the host, which
 * signs `{user_id, account_id}` of the signed-in user with the app's signing secret.
 */
export function emulateStripeHost(sign: () => string) {
  (globalThis as { __StripeExtExports?: unknown }).__StripeExtExports = {
    endpoint: { call: { supportsFetchAppEmbeddedKey: async () => false, fetchStripeSignature: async () => sign() } },
  };
}

export interface ViewOptions {
  accountId: string;
  userId?: string;
  /** Where the views send their calls; the test backend by default. */
  apiBase?: string;
  /** A secret the backend does not accept, to see a rejected signature. */
  signingSecret?: string;
  objectContext?: { id: string; object: string };
}

/** Renders a view for a Dashboard user of `accountId`, its calls going to the real test backend. */
export function renderView(View: ComponentType<ExtensionContextValue>, backend: ViewBackend, options: ViewOptions) {
  const user = { user_id: options.userId ?? 'usr_ViewTest', account_id: options.accountId };
  emulateStripeHost(() => backend.sign(user, { secret: options.signingSecret }));
  const props = getMockContextProps({
    userContext: { id: user.user_id, account: { id: user.account_id } },
    environment: {
      constants: { API_BASE: options.apiBase ?? backend.url, APP_URL: TEST_APP_URL },
      ...(options.objectContext ? { objectContext: options.objectContext } : {}),
    },
  });
  return { ...render(createElement(View, props)), props };
}

const TEXT_PROPS = ['label', 'title', 'secondaryTitle', 'description', 'value'];

/** All text a merchant reads: children, and the string props (titles, labels, values) components display. */
export function textOf(node: Wrapper | TreeNode): string {
  if (typeof node === 'string') return node;
  const props = (node.props ?? {}) as Record<string, unknown>;
  const own = TEXT_PROPS.map((key) => props[key]).filter((value): value is string => typeof value === 'string');
  return [...own, ...node.children.map(textOf)].join(' ');
}

/** Retries `assertion` after each render update until it holds (the backend answers asynchronously). */
export async function eventually(update: () => Promise<void>, assertion: () => void, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await update();
    try {
      assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** The button or link a merchant would press, by its label. */
export function control(wrapper: Wrapper, label: string) {
  const found = wrapper.findAllWhere((node) => (node.is(Button) || node.is(Link)) && node.text === label);
  if (found.length !== 1) throw new Error(`expected one control labelled "${label}", found ${found.length}`);
  return found[0]!;
}

export async function press(wrapper: Wrapper, label: string): Promise<void> {
  await control(wrapper, label).trigger('onPress' as never);
}

/** Records the views' calls (they still reach the backend) as `POST /stripe-app/…`. */
export function recordBackendCalls(backend: ViewBackend) {
  const spy = vi.spyOn(globalThis, 'fetch');
  return {
    calls(): string[] {
      return spy.mock.calls
        .map(([input, init]) => ({ url: String(input), method: init?.method ?? 'GET' }))
        .filter(({ url }) => url.startsWith(backend.url))
        .map(({ url, method }) => `${method} ${url.slice(backend.url.length)}`);
    },
    /** Every URL fetched, wherever it pointed. */
    urls: () => spy.mock.calls.map(([input]) => String(input)),
    clear: () => spy.mockClear(),
    restore: () => spy.mockRestore(),
  };
}
