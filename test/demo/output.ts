/** The demo's narration: numbered steps, indented details, a progress line; colors only on a terminal. */
import { bar, DemoError, type Progress } from './format.js';

export const STEPS = 9;
const INDENT = '      ';

export function createOutput(stream: NodeJS.WriteStream) {
  const tty = Boolean(stream.isTTY);
  const color = tty && !process.env.NO_COLOR;
  const paint = (code: string) => (text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const bold = paint('1');
  const dim = paint('2');
  const green = paint('32');
  const red = paint('31');
  const write = (line: string) => stream.write(`${line}\n`);

  return {
    tty,
    title: (text: string) => write(bold(text)),
    say: (text: string) => write(text),
    detail: (text: string) => write(`${INDENT}${text}`),
    table: (lines: string[]) => lines.forEach((line, i) => write(`${INDENT}${i < 2 ? bold(line) : line}`)),
    ok: (text: string) => write(`\n${green(text)}`),
    fail: (text: string) => write(`\n${red(`✗ ${text}`)}`),

    /** Runs one numbered step; a failure names the step it happened in. */
    async step<T>(n: number, text: string, run: () => T | Promise<T>): Promise<T> {
      write(`\n${bold(`[${n}/${STEPS}] ${text}`)}`);
      const started = Date.now();
      try {
        const result = await run();
        const seconds = (Date.now() - started) / 1000;
        write(`${INDENT}${green('✓ done')}${seconds >= 1 ? dim(` (${seconds.toFixed(1)} s)`) : ''}`);
        return result;
      } catch (error) {
        const reason = error instanceof DemoError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
        throw new DemoError(`step ${n} (${text}) failed: ${reason}`);
      }
    },

    /**
     * The sync's progress: on a terminal one line redrawn in place; elsewhere a line per status
     * change and per quarter done, so a log stays short.
     */
    progress() {
      let current = '';
      let lastQuarter = -1;
      let drawn = false;
      let lastLine = '';
      const notes = new Set<string>();
      const line = (status: string, p: Progress) => `${bar(p.fraction, 30, tty)}  ${status.padEnd(15)} ${dim(p.summary)}`;
      const clear = () => {
        if (tty && drawn) stream.write('\r\x1b[2K');
        drawn = false;
      };
      return {
        update(status: string, p: Progress) {
          if (tty) {
            const text = line(status, p);
            if (text === lastLine && drawn) return;
            lastLine = text;
            clear();
            stream.write(`${INDENT}${text}`);
            drawn = true;
          } else {
            const quarter = Math.floor(p.fraction * 4);
            if (status !== current || quarter > lastQuarter) write(`${INDENT}${line(status, p)}`);
            lastQuarter = Math.max(lastQuarter, quarter);
          }
          current = status;
        },
        note(text: string) {
          if (notes.has(text)) return;
          notes.add(text);
          clear();
          write(`${INDENT}${text}`);
        },
        done() {
          if (tty && drawn) stream.write('\n');
          drawn = false;
        },
      };
    },
  };
}

export type Output = ReturnType<typeof createOutput>;
