import { ContextView } from '@stripe/ui-extension-sdk/ui';
import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import { Panel } from '../components/Panel';
import { integrationsUrl } from '../config';
import { useBackend } from '../hooks';

/** The app's drawer on any Dashboard page (viewport `stripe.dashboard.drawer.default`): the panel, compact. */
const PanelDrawer = (context: ExtensionContextValue) => {
  const { client, settings } = useBackend(context);
  return (
    <ContextView title="Research panel" description="Your customers as User Intuition research participants" externalLink={{ label: 'Open User Intuition', href: integrationsUrl(settings) }}>
      <Panel client={client} appHref={integrationsUrl(settings)} compact />
    </ContextView>
  );
};

export default PanelDrawer;
