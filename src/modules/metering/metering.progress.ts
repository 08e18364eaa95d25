import type { BeforeCommit } from './metering.engine.ts';

/**
 * A one-line progress bar for `yunguan settle`, hand-rolled (no dependency): on a TTY it redraws one line
 * with \r; elsewhere (CI logs, a pipe) it writes one plain line per step, so logs stay readable.
 */
export function progressBar(stream: NodeJS.WriteStream = process.stderr, width = 24) {
  const started = Date.now();
  let last = '';
  return {
    update(step: string, done: number, total: number) {
      const filled = Math.round((done / total) * width);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      const text = `settle [${bar}] ${done}/${total} ${step} ${secs}s`;
      if (stream.isTTY) stream.write(`\r${text.padEnd(last.length)}`);
      else stream.write(`${text}\n`);
      last = text;
    },
    done(message: string) {
      if (stream.isTTY) stream.write(`\r${' '.repeat(last.length)}\r`);
      stream.write(`${message}\n`);
    },
  };
}

export const SETTLE_PAUSE_VARIABLE = 'YUNGUAN_TEST_PAUSE_SETTLE';
export const SETTLE_PAUSE_MARKER = 'settle: paused before commit';

/**
 * Test-only pause of `yunguan settle`, for the kill tests of metering.pg.test.ts: with NODE_ENV=test and
 * YUNGUAN_TEST_PAUSE_SETTLE=commit the settlement stops inside its transaction, after every statement and
 * line is written and before COMMIT, writes one line `settle: paused before commit {json}` to stderr (run
 * id, content hash, rows written so far) and waits (at most `waitMs`, then it commits as usual), so a test
 * can kill the process at exactly that point instead of guessing with a timer. Outside NODE_ENV=test the
 * variable is ignored: a deployed installation never pauses. `env` is the settle command's environment.
 */
export function settlePause(
  env: Readonly<Record<string, string | undefined>>,
  stream: NodeJS.WritableStream = process.stderr,
  waitMs = 120_000,
): ((state: BeforeCommit) => Promise<void>) | undefined {
  const step = env[SETTLE_PAUSE_VARIABLE]?.trim();
  if (env.NODE_ENV !== 'test' || !step) return undefined;
  if (step !== 'commit') throw new Error(`${SETTLE_PAUSE_VARIABLE} knows only "commit", got "${step}"`);
  return async (state) => {
    stream.write(`${SETTLE_PAUSE_MARKER} ${JSON.stringify(state)}\n`);
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  };
}
