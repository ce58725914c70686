/**
 * Progress for long commands, on stderr: a line rewritten in place on a terminal, and at most one
 * line every few seconds when stderr is a file or a pipe (so CI logs stay readable).
 */

export interface Progress {
  update(done: number, total: number, detail?: string): void;
  done(message?: string): void;
}

export function createProgress(label: string, options: { quiet?: boolean } = {}): Progress {
  const interactive = process.stderr.isTTY === true;
  const started = Date.now();
  let lastWrite = 0;
  let lastPercent = -1;

  const format = (done: number, total: number, detail?: string): string => {
    const percent = total > 0 ? Math.floor((100 * done) / total) : 0;
    const elapsed = ((Date.now() - started) / 1000).toFixed(1);
    const tail = detail === undefined || detail === '' ? '' : `  ${detail}`;
    return `${label}: ${done}/${total} (${percent}%) ${elapsed}s${tail}`;
  };

  return {
    update(done, total, detail) {
      if (options.quiet === true) return;
      const now = Date.now();
      const percent = total > 0 ? Math.floor((100 * done) / total) : 0;
      if (interactive) {
        if (now - lastWrite < 100 && done < total) return;
        process.stderr.write(`\r${format(done, total, detail)}\x1b[K`);
      } else {
        if (now - lastWrite < 5000 && done < total && percent - lastPercent < 25) return;
        process.stderr.write(`${format(done, total, detail)}\n`);
        lastPercent = percent;
      }
      lastWrite = now;
    },
    done(message) {
      if (options.quiet === true) return;
      if (interactive) process.stderr.write('\r\x1b[K');
      const elapsed = ((Date.now() - started) / 1000).toFixed(1);
      process.stderr.write(`${label}: ${message ?? 'done'} in ${elapsed}s\n`);
    },
  };
}
