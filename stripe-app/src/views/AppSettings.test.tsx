import { describe, expect, it } from 'vitest';
import { render, getMockContextProps } from '@stripe/ui-extension-sdk/testing';
import { SettingsView } from '@stripe/ui-extension-sdk/ui';
import AppSettings from './AppSettings';

describe('AppSettings', () => {
  it('renders a settings view that names the merchant\'s account', () => {
    const props = getMockContextProps();
    const { wrapper } = render(<AppSettings {...props} />);
    expect(wrapper).toContainComponent(SettingsView);
    expect(wrapper).toContainText(props.userContext.account.id);
  });
});
