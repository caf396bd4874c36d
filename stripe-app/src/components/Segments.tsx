import { Box, List, ListItem } from '@stripe/ui-extension-sdk/ui';
import type { AppSegment } from '@ui/shared';
import { formatMoneyByCurrency, plural } from '../format';

const mrrText = (segment: AppSegment) => {
  const mrr = formatMoneyByCurrency(segment.mrr_by_currency);
  return mrr ? `${mrr} MRR` : 'No MRR';
};

/** Segments with their participant counts and monthly recurring revenue, per currency. */
export function Segments({ segments, limit }: { segments: AppSegment[]; limit?: number }) {
  if (segments.length === 0) {
    return <Box css={{ color: 'secondary' }}>No segments yet: they appear once the first sync has read your subscriptions.</Box>;
  }
  const shown = limit === undefined ? segments : segments.slice(0, limit);
  const hidden = segments.length - shown.length;
  return (
    <Box css={{ stack: 'y', gap: 'small' }}>
      <Box css={{ font: 'subheading' }}>Segments</Box>
      <List>
        {shown.map((segment) => (
          <ListItem key={segment.key} id={segment.key} title={segment.name} secondaryTitle={plural(segment.participant_count, 'participant', 'participants')} value={mrrText(segment)} />
        ))}
      </List>
      {hidden > 0 ? <Box css={{ color: 'secondary' }}>{`and ${plural(hidden, 'more segment', 'more segments')} in User Intuition`}</Box> : null}
    </Box>
  );
}
