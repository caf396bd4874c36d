const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A plain page for the browser that lands on the OAuth callback. */
export function page(title: string, paragraphs: string[], extra = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escape(title)} · User Intuition</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1a1a2e}
code{font-size:1.6rem;letter-spacing:.15em;background:#f1f1f6;padding:.3rem .6rem;border-radius:6px}</style></head>
<body><h1>${escape(title)}</h1>${paragraphs.map((p) => `<p>${escape(p)}</p>`).join('')}${extra}</body></html>`;
}

export const claimPage = (claimCode: string, accountId: string, appUrl: string) =>
  page(
    'Almost done: link Stripe to your workspace',
    [
      `User Intuition is installed on Stripe account ${accountId}.`,
      'To finish, open Integrations → Stripe in User Intuition and enter this code. It works once, within 1 hour. The app\'s settings page in the Stripe Dashboard shows it too.',
    ],
    `<p><code>${escape(claimCode)}</code></p><p><a href="${escape(`${appUrl}/integrations`)}">Open User Intuition</a></p>`,
  );

export const errorPage = (message: string, appUrl: string) =>
  page('Stripe was not connected', [message, 'Nothing was saved.'], `<p><a href="${escape(`${appUrl}/integrations`)}">Back to User Intuition</a></p>`);
