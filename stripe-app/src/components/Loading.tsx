import { Box, Spinner } from '@stripe/ui-extension-sdk/ui';

export function Loading({ what }: { what: string }) {
  return (
    <Box css={{ stack: 'x', gap: 'small', alignY: 'center' }}>
      <Spinner size="small" />
      <Box>{`Loading ${what}…`}</Box>
    </Box>
  );
}
