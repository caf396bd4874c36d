import { Badge, Banner, Box, List, ListItem, PropertyList, PropertyListItem } from '@stripe/ui-extension-sdk/ui';
import type { AppCustomerResponse, AppParticipant } from '@ui/shared';
import { formatDate, formatDateTime, formatMoney } from '../format';
import { inviteStatusLabel, PARTICIPANT_STATUS } from '../words';

const money = (amount: number, currency: string | null) => (currency ? formatMoney(amount, currency) : amount === 0 ? 'None' : String(amount));

const planText = (p: AppParticipant) => {
  if (!p.plan) return 'No plan';
  const others = p.plan_products.filter((name) => name !== p.plan);
  return others.length > 0 ? `${p.plan} (also ${others.join(', ')})` : p.plan;
};

export const participantTitle = (p: AppParticipant) => p.name ?? p.email ?? 'Unnamed customer';

/** One Stripe customer as the research panel knows them. */
export function Participant({ customer, participant }: { customer: AppCustomerResponse; participant: AppParticipant }) {
  const status = PARTICIPANT_STATUS[participant.status];
  return (
    <Box css={{ stack: 'y', gap: 'medium' }}>
      <Box css={{ stack: 'x', gap: 'small', alignY: 'center' }}>
        <Box css={{ font: 'heading' }}>{participantTitle(participant)}</Box>
        <Badge type={status.badge}>{status.label}</Badge>
      </Box>
      {participant.deleted_in_stripe ? (
        <Banner type="caution" title="Deleted in Stripe" description="This customer was deleted in Stripe. They stay in your research panel with their last known details." />
      ) : null}
      {participant.last_sync_error ? <Banner type="critical" title="The last sync of this customer failed" description={participant.last_sync_error} /> : null}
      <PropertyList>
        <PropertyListItem label="MRR" value={money(participant.mrr, participant.currency)} />
        <PropertyListItem label="Lifetime value" value={money(participant.ltv, participant.currency)} />
        <PropertyListItem label="Plan" value={planText(participant)} />
        <PropertyListItem label="Status" value={status.label} />
        <PropertyListItem label="Email" value={participant.email ?? 'No email, so no interview invites'} />
        <PropertyListItem label="Customer since" value={formatDate(participant.signup_at) ?? 'Unknown'} />
        <PropertyListItem label="Last synced" value={formatDateTime(participant.last_synced_at) ?? 'Not yet'} />
      </PropertyList>
      <Box css={{ stack: 'y', gap: 'small' }}>
        <Box css={{ font: 'subheading' }}>Segments</Box>
        {customer.segments.length === 0 ? (
          <Box css={{ color: 'secondary' }}>Not in any segment.</Box>
        ) : (
          <List>
            {customer.segments.map((s) => (
              <ListItem key={s.key} id={s.key} title={s.name} />
            ))}
          </List>
        )}
      </Box>
      <Box css={{ stack: 'y', gap: 'small' }}>
        <Box css={{ font: 'subheading' }}>Interview invites</Box>
        {customer.invites.length === 0 ? (
          <Box css={{ color: 'secondary' }}>Not invited to any study yet.</Box>
        ) : (
          <List>
            {customer.invites.map((invite, n) => (
              <ListItem
                key={`${invite.study_name}-${n}`}
                title={invite.study_name}
                secondaryTitle={formatDateTime(invite.updated_at) ?? undefined}
                value={inviteStatusLabel(invite.status)}
              />
            ))}
          </List>
        )}
      </Box>
    </Box>
  );
}
