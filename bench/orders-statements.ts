// bench:orders: the check that its pgbench script is the app's placement, statement for statement.

/**
 * Whether the pgbench script sends the statements the app sent for its traced order, in the same order: each
 * compared by its verb and first table (the texts differ: quoting, constants as parameters).
 */
export function sameStatements(traced: string[], script: string) {
  const shape = (q: string) => {
    const x = q.toLowerCase().replaceAll('"', '').replace('/* prepared */', '').replace(/;\s*$/, '').trim();
    const table = /\b(?:from|into|update)\s+([a-z_]+)/.exec(x)?.[1] ?? '';
    return `${x.split(/\s+/)[0]} ${table}`.trim();
  };
  const statements: string[] = [];
  let current = '';
  for (const line of script.split('\n')) {
    if (line.startsWith('--') || !line.trim()) continue;
    current += `${line}\n`;
    if (/;\s*$/.test(line) || /\\gset/.test(line)) {
      statements.push(current);
      current = '';
    }
  }
  const app = traced.map(shape);
  const bench = statements.map(shape);
  const at = app.findIndex((s, i) => s !== bench[i]);
  const same = app.length === bench.length && at < 0;
  return {
    same,
    scriptCount: bench.length,
    diff: same ? '' : `#${at + 1}: app "${app[at] ?? '(none)'}", pgbench "${bench[at] ?? '(none)'}"`,
  };
}
