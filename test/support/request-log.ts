import pino from 'pino';

/** Every request the emulator answered, from its Fastify request log: URL (with query) and status. */
export function requestRecorder() {
  const urls = new Map<string, string>();
  const answered: { url: string; status: number }[] = [];
  const logger = pino(
    { level: 'info' },
    {
      write(line: string) {
        const entry = JSON.parse(line) as { reqId?: string; req?: { url: string }; res?: { statusCode: number } };
        if (!entry.reqId) return;
        if (entry.req) urls.set(entry.reqId, entry.req.url);
        else if (entry.res) answered.push({ url: urls.get(entry.reqId) ?? '?', status: entry.res.statusCode });
      },
    },
  );
  return { logger, answered };
}
