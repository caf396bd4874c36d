import uiExtension from '@stripe/ui-extension-tools/eslint.config.ui-extension.mjs';

export default [{ ignores: ['node_modules/**', '.build/**'] }, ...uiExtension];
