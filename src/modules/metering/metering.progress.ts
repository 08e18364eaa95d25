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
