import { Badge, Box, Link } from '@stripe/ui-extension-sdk/ui';
import type { StripeConnection } from '@ui/shared';
import { formatDateTime } from '../format';
import { CONNECTION_STATUS } from '../words';

export function OpenUserIntuition({ href, label = 'Open User Intuition' }: { href: string; label?: string }) {
  return (
    <Link href={href} target="_blank" external>
      {label}
    </Link>
  );
}

/** No install on this account yet: how to connect. */
export function NotConnected({ href }: { href: string }) {
  return (
    <Box css={{ stack: 'y', gap: 'small' }}>
      <Box css={{ font: 'heading' }}>User Intuition isn&apos;t connected to this Stripe account yet</Box>
      <Box>
        Connect it from User Intuition: open Integrations, choose Stripe and approve access. Your customers then become research
        participants you can invite to interviews.
      </Box>
      <OpenUserIntuition href={href} />
    </Box>
  );
}

/** Installed from the Dashboard, not yet claimed by a workspace: the code that links them. */
export function ClaimCode({ code, href }: { code: string | null; href: string }) {
  if (!code) {
    return (
      <Box css={{ stack: 'y', gap: 'small' }}>
        <Box css={{ font: 'heading' }}>Link this Stripe account to User Intuition</Box>
        <Box>
          The link code has expired. Connect Stripe from User Intuition&apos;s integrations page instead, or reinstall the app to get a
          new code.
        </Box>
        <OpenUserIntuition href={href} />
      </Box>
    );
  }
  return (
    <Box css={{ stack: 'y', gap: 'small' }}>
      <Box css={{ font: 'heading' }}>One more step: link this Stripe account to your workspace</Box>
      <Box>In User Intuition, open Integrations, choose Stripe, then &quot;Link a Stripe install&quot; and enter this code:</Box>
      <Box css={{ font: 'title', fontFamily: 'monospace', padding: 'small', backgroundColor: 'container', borderRadius: 'small' }}>{code}</Box>
      <Box css={{ color: 'secondary' }}>The code works once, for one hour after you installed the app.</Box>
      <OpenUserIntuition href={href} />
    </Box>
  );
}

/** The account was disconnected: what that means and how to come back. */
export function Disconnected({ connection, href }: { connection: StripeConnection; href: string }) {
  const words = CONNECTION_STATUS.disconnected;
  const when = formatDateTime(connection.disconnected_at);
  const reason = connection.status_messages.find((m) => m.code === 'disconnected')?.message;
  return (
    <Box css={{ stack: 'y', gap: 'small' }}>
      <Box>
        <Badge type={words.badge}>{words.label}</Badge>
      </Box>
      <Box>{words.description}</Box>
      {when ? <Box css={{ color: 'secondary' }}>{`${reason ?? 'Disconnected'} on ${when}.`}</Box> : null}
      <OpenUserIntuition href={href} label="Connect again in User Intuition" />
    </Box>
  );
}
