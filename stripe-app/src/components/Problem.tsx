import { Banner, Box, Button } from '@stripe/ui-extension-sdk/ui';
import type { BackendProblem } from '../api/client';

const WORDS: Record<BackendProblem['kind'], { title: string; description: string }> = {
  unreachable: {
    title: 'Can\'t reach User Intuition',
    description: 'Check your internet connection and try again. If it keeps happening, User Intuition may be briefly unavailable.',
  },
  unauthorized: {
    title: 'Couldn\'t verify your Stripe session',
    description: 'Reload this Dashboard page and try again.',
  },
  not_installed: {
    title: 'User Intuition isn\'t connected to this Stripe account',
    description: 'Connect Stripe from User Intuition\'s integrations page.',
  },
  not_linked: {
    title: 'This Stripe account isn\'t linked to a User Intuition workspace yet',
    description: 'Enter the link code shown in the app\'s settings in User Intuition first.',
  },
  needs_reauth: {
    title: 'Reconnect needed',
    description: 'User Intuition can no longer read your Stripe data. Connect Stripe again from User Intuition.',
  },
  failed: {
    title: 'Something went wrong in User Intuition',
    description: 'Try again in a moment. If it keeps happening, contact support@userintuition.ai.',
  },
};

export function problemWords(problem: BackendProblem): { title: string; description: string } {
  const words = WORDS[problem.kind];
  if (problem.kind === 'failed' && problem.requestId) return { ...words, description: `${words.description} Reference: ${problem.requestId}.` };
  return words;
}

/** A failed backend call, in words, with a way to try again when that can help. */
export function ProblemNotice({ problem, onRetry }: { problem: BackendProblem; onRetry?: () => void }) {
  const { title, description } = problemWords(problem);
  return (
    <Box css={{ stack: 'y', gap: 'small' }}>
      <Banner type="critical" title={title} description={description} />
      {onRetry ? (
        <Box>
          <Button onPress={onRetry}>Try again</Button>
        </Box>
      ) : null}
    </Box>
  );
}
