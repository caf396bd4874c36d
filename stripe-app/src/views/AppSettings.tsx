import { Box, SettingsView } from '@stripe/ui-extension-sdk/ui';
import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import { Panel } from '../components/Panel';
import { integrationsUrl } from '../config';
import { useBackend } from '../hooks';

/**
 * The app's settings page (viewport `settings`): the connection as the merchant sees it, the
 * claim code while the install is not linked, and Sync now / Disconnect / Open User Intuition.
 */
const AppSettings = (context: ExtensionContextValue) => {
  const { client, settings } = useBackend(context);
  return (
    <SettingsView>
      <Box css={{ stack: 'y', gap: 'large' }}>
        <Box css={{ color: 'secondary' }}>
          User Intuition turns your customers into a research panel: it reads customers, subscriptions and invoices so you can invite the
          right people to AI-led interviews.
        </Box>
        <Panel client={client} appHref={integrationsUrl(settings)} />
      </Box>
    </SettingsView>
  );
};

export default AppSettings;
