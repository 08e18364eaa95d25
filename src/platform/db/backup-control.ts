import { chmodSync, existsSync, rmSync } from 'node:fs';
import net from 'node:net';
import { BackupError, type BackupManifest, backupEmbedded } from './backup.ts';
import type { Database } from './database.ts';

/**
 * The embedded database belongs to one process (its data folder is locked), so a backup of a running
 * server must be taken by that server. It listens on a Unix socket beside the data folder, usable by the
 * folder's owner only (who could read the files anyway): `yunguan backup` connects, sends `backup`, and
 * receives one JSON line (the manifest and the archive's size) followed by the archive.
 */
export function controlSocketPath(dataDir: string): string {
  // Beside the data folder, not in it: PGlite's dump archives every file of the folder, and a socket is
  // not a file it can read.
  return `${dataDir.replace(/[\\/]+$/, '')}.control.sock`;
}

export async function serveBackupControl(
  dataDir: string,
  database: Database<any>,
  version: string,
): Promise<() => Promise<void>> {
  const socketPath = controlSocketPath(dataDir);
  rmSync(socketPath, { force: true }); // left by a process that was killed; the data folder lock is ours
  const server = net.createServer((conn) => {
    conn.on('error', () => {});
    let command = '';
    conn.on('data', async (chunk: Buffer) => {
      command += chunk.toString('utf8');
      if (!command.includes('\n')) return;
      if (command.trim() !== 'backup') {
        conn.end(`${JSON.stringify({ ok: false, error: `unknown command ${command.trim()}` })}\n`);
        return;
      }
      try {
        const { manifest, archive } = await backupEmbedded(database, version);
        conn.write(`${JSON.stringify({ ok: true, manifest, bytes: archive.byteLength })}\n`);
        conn.end(archive);
      } catch (error) {
        const message = error instanceof Error ? error.message : JSON.stringify(error);
        conn.end(`${JSON.stringify({ ok: false, error: message || String(error) })}\n`);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  chmodSync(socketPath, 0o600);
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      rmSync(socketPath, { force: true });
    });
}

/** Asks the server running on `dataDir` for a backup; undefined when no server listens there. */
export async function requestBackup(
  dataDir: string,
): Promise<{ manifest: BackupManifest; archive: Uint8Array } | undefined> {
  const socketPath = controlSocketPath(dataDir);
  if (!existsSync(socketPath)) return undefined;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const conn = net.createConnection(socketPath, () => conn.write('backup\n'));
    conn.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED' || error.code === 'ENOENT') resolve(undefined);
      else reject(error);
    });
    conn.on('data', (c: Buffer) => chunks.push(c));
    conn.on('end', () => {
      const all = Buffer.concat(chunks);
      const newline = all.indexOf(10);
      if (newline < 0) return reject(new BackupError('the server closed the backup connection without an answer'));
      const header = JSON.parse(all.subarray(0, newline).toString('utf8')) as
        | { ok: true; manifest: BackupManifest; bytes: number }
        | { ok: false; error: string };
      if (!header.ok) return reject(new BackupError(`the server could not take the backup: ${header.error}`));
      const archive = all.subarray(newline + 1);
      if (archive.byteLength !== header.bytes) {
        return reject(
          new BackupError(`the backup arrived incomplete (${archive.byteLength} of ${header.bytes} bytes)`),
        );
      }
      resolve({ manifest: header.manifest, archive: new Uint8Array(archive) });
    });
  });
}
