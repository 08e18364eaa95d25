import { execSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';

const variant = process.argv[2];
const dir = `/tmp/ygexp/mnt/data-${variant}`;
rmSync(dir, { recursive: true, force: true });
const p = await PGlite.create({ dataDir: dir });
await p.exec('create table t (id serial primary key, v text)');
await p.exec(`insert into t (v) select repeat('x', 100) from generate_series(1, 1000)`);
try {
  execSync('dd if=/dev/zero of=/tmp/ygexp/mnt/filler bs=1M 2>/dev/null');
} catch {}
for (let i = 0; i < 3; i++) {
  try {
    await p.exec(`insert into t (v) select repeat('y', 1000) from generate_series(1, 20000)`);
    console.log('insert ok', i);
  } catch (e: any) {
    console.log('insert error', i, e.code, e.message);
  }
}
try {
  console.log('count during', (await p.query('select count(*) from t')).rows);
} catch (e: any) {
  console.log('select err', e.code, e.message);
}
if (variant === 'ckpt') {
  try {
    await p.exec('checkpoint');
    console.log('checkpoint ok');
  } catch (e: any) {
    console.log('checkpoint err', e.code, e.message);
  }
}
if (variant === 'small') {
  try {
    await p.exec(`insert into t (v) values ('small')`);
    console.log('small insert ok');
  } catch (e: any) {
    console.log('small insert err', e.code, e.message);
  }
}
try {
  console.log('count during2', (await p.query('select count(*) from t')).rows);
} catch (e: any) {
  console.log('select err', e.code, e.message);
}
rmSync('/tmp/ygexp/mnt/filler');
console.log('space returned');
for (let i = 0; i < 2; i++) {
  try {
    const r = await p.query(`insert into t (v) select repeat('z', 100) from generate_series(1, 100) returning id`);
    console.log('after insert ok', i, r.rows.length);
  } catch (e: any) {
    console.log('after insert error', i, e.code, e.message);
  }
}
try {
  console.log('count after', (await p.query('select count(*) from t')).rows);
} catch (e: any) {
  console.log('select err', e.code, e.message);
}
await p.close().catch((e) => console.log('close err', e.message));
const q = await PGlite.create({ dataDir: dir });
console.log('reopened', (await q.query('select count(*) from t')).rows);
await q.close();
