import { execSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';

const dir = `/tmp/ygexp/mnt/data-wal`;
process.on('uncaughtException', (e) => console.log('UNCAUGHT', e));
const p = await PGlite.create({ dataDir: dir });
await p.exec('create table t (id int primary key, v text) with (fillfactor=50)');
await p.exec(`insert into t (id, v) values (1, 'a')`);
try {
  execSync('dd if=/dev/zero of=/tmp/ygexp/mnt/filler bs=1M 2>/dev/null');
} catch {}
let errors = 0;
for (let i = 0; i < 60000; i++) {
  try {
    await p.query(`update t set v = $1 where id = 1`, ['v' + 'x'.repeat(200) + i]);
  } catch (e: any) {
    errors++;
    if (errors < 4 || errors % 1000 === 0) console.log('update error', i, e?.code, e?.message ?? e, 'closed', p.closed);
    if (errors > 3000) break;
  }
}
console.log('errors', errors);
rmSync('/tmp/ygexp/mnt/filler');
console.log('space returned');
try {
  console.log('read', (await p.query('select length(v) from t')).rows);
} catch (e: any) {
  console.log('read err', e?.code, e?.message ?? e);
}
try {
  await p.query(`update t set v = 'final' where id = 1`);
  console.log('final ok');
} catch (e: any) {
  console.log('final err', e?.code, e?.message ?? e);
}
await p.close().catch((e) => console.log('close err', e.message));
const q = await PGlite.create({ dataDir: dir });
console.log('reopened', (await q.query('select v from t')).rows);
await q.close();
