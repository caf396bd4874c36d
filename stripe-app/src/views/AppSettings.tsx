import { Box, SettingsView, Link } from '@stripe/ui-extension-sdk/ui';
import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';

/**
 * The app's settings page in the Stripe Dashboard. This first version only explains what the app
 * does; the connection status, claim code and actions arrive with the signed backend routes.
 */
const AppSettings = ({ userContext }: ExtensionContextValue) => (
  <SettingsView>
    <Box css={{ stack: 'y', gap: 'medium' }}>
      <Box>
        User Intuition turns your customers into a research panel: it reads customers, subscriptions
        and invoices so you can invite the right people to AI-led interviews.
      </Box>
      <Box>Account: {userContext?.account?.id ?? 'unknown'}</Box>
      <Link href="https://app.userintuition.ai/integrations" target="_blank" external>
        Open User Intuition
      </Link>
    </Box>
  </SettingsView>
);

export default AppSettings;
