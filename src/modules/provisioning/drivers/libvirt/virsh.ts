import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * libvirt through its standard client, `virsh` (docs/decisions.md: why virsh and not a binding). One
 * interactive `virsh -q -c <uri>` process per connection, kept open and fed one command at a time: one libvirt
 * connection per zone connection (as a binding would keep), no process start per call, and for libvirt's
 * built-in `test:///` driver (whose state lives in the connection) the same state across calls. After each
 * command the session writes a marker on stdout and on stderr (`echo`, `echo --err`), so a command's output
 * and its errors are told apart from the next one's.
 */

export type VirshErrorKind = 'connection' | 'not_found' | 'exists' | 'no_space' | 'unsupported' | 'timeout' | 'failed';

export class VirshError extends Error {
  constructor(
    readonly command: string,
    readonly kind: VirshErrorKind,
    readonly stderr: string,
  ) {
    super(`virsh ${command}: ${stderr || kind}`);
    this.name = 'VirshError';
  }
}

/** What libvirt's message says went wrong (the messages are libvirt's own, in English, stable across versions). */
export function classify(stderr: string): VirshErrorKind {
  const s = stderr.toLowerCase();
  if (
    /failed to connect|failed to reconnect|no valid connection|connection refused|cannot recv data|end of file while reading|unable to connect|is the daemon running|broken pipe|disconnected/.test(
      s,
    )
  )
    return 'connection';
  if (/not enough free space|no space|insufficient|cannot allocate|out of memory|exceeds/.test(s)) return 'no_space';
  if (/not supported by the connection driver|unsupported/.test(s)) return 'unsupported';
  if (/already exists|already defined|exists with uuid/.test(s)) return 'exists';
  if (/failed to get|not found|no storage vol|no domain|no network|no storage pool|could not find/.test(s))
    return 'not_found';
  return 'failed';
}

export interface Credentials {
  username: string;
  password: string;
}

/** Single-quoted for virsh's own command parser (a quote inside is closed, escaped and reopened). */
export const quote = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;

interface Pending {
  command: string;
  marker: string;
  resolve: (out: string) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

const COMMAND_TIMEOUT_MS = 120_000;

export class VirshSession {
  private child: ChildProcessWithoutNullStreams | null = null;
  private out = '';
  private err = '';
  private current: Pending | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private serial = 0;
  private authDir: string | null = null;

  constructor(
    readonly uri: string,
    private readonly credentials: Credentials | null = null,
    private readonly timeoutMs = COMMAND_TIMEOUT_MS,
  ) {}

  /** Runs one virsh command (its arguments quoted here) and answers its standard output; a VirshError otherwise. */
  run(args: readonly string[]): Promise<string> {
    const next = this.queue.then(() => this.exec(args));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Ends the virsh process (this session's own child) and removes its credentials file. */
  close(): void {
    this.child?.kill('SIGTERM');
    this.child = null;
    if (this.authDir) rmSync(this.authDir, { recursive: true, force: true });
    this.authDir = null;
  }

  private start(): ChildProcessWithoutNullStreams {
    const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C', LANG: 'C' };
    if (this.credentials) {
      // libvirt's client auth file: read by the client library for SASL (qemu+tcp) and ssh passwords.
      this.authDir ??= mkdtempSync(path.join(tmpdir(), 'yunguan-libvirt-'));
      const file = path.join(this.authDir, 'auth.conf');
      const { username, password } = this.credentials;
      writeFileSync(
        file,
        `[credentials-yunguan]\nauthname=${username}\npassword=${password}\n\n[auth-libvirt-default]\ncredentials=yunguan\n\n[auth-ssh-default]\ncredentials=yunguan\n`,
        { mode: 0o600 },
      );
      env.LIBVIRT_AUTH_FILE = file;
    }
    const child = spawn('virsh', ['-q', '-c', this.uri], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.out = '';
    this.err = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      this.out += d;
      this.settle();
    });
    child.stderr.on('data', (d: string) => {
      this.err += d;
      this.settle();
    });
    const gone = (detail: string) => {
      if (this.child === child) this.child = null;
      const p = this.current;
      if (p) {
        this.current = null;
        clearTimeout(p.timer);
        p.reject(new VirshError(p.command, 'connection', `${this.err.trim()} ${detail}`.trim()));
      }
    };
    child.on('error', (e) => gone(`virsh could not run: ${e.message}`));
    child.on('exit', (code) => gone(`virsh ended (${code})`));
    child.stdin.on('error', () => {});
    this.child = child;
    return child;
  }

  private exec(args: readonly string[]): Promise<string> {
    const child = this.child ?? this.start();
    const marker = `@@yunguan-${process.pid}-${++this.serial}@@`;
    const command = args.join(' ');
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.current?.marker !== marker) return;
        this.current = null;
        // a command that hangs (an unreachable host) takes the session with it; the next call starts anew
        child.kill('SIGKILL');
        if (this.child === child) this.child = null;
        reject(new VirshError(command, 'timeout', `no answer within ${this.timeoutMs / 1000} s`));
      }, this.timeoutMs);
      this.current = { command, marker, resolve, reject, timer };
      child.stdin.write(`${args.map(quote).join(' ')}\necho ${marker}\necho --err ${marker}\n`);
    });
  }

  private settle(): void {
    const p = this.current;
    if (!p) return;
    const outEnd = this.out.indexOf(`echo ${p.marker}\n${p.marker}`);
    const errEnd = this.err.indexOf(`error: ${p.marker}\n`);
    if (outEnd < 0 || errEnd < 0) return;
    let stdout = this.out.slice(0, outEnd);
    const stderr = this.err.slice(0, errEnd);
    this.out = this.out.slice(outEnd + `echo ${p.marker}\n${p.marker}`.length);
    this.err = this.err.slice(errEnd + `error: ${p.marker}\n`.length);
    this.current = null;
    clearTimeout(p.timer);
    // the interactive shell echoes each command after its prompt: drop the prompts and those echoes
    stdout = stdout.replace(/^(virsh # echo --err [^\n]*\n)?virsh # [^\n]*\n?/, '').replace(/virsh # $/, '');
    const errors = stderr
      .split('\n')
      .map((l) => l.replace(/^error: /, '').trim())
      .filter(Boolean)
      .join('; ');
    if (errors) p.reject(new VirshError(p.command, classify(errors), errors));
    else p.resolve(stdout);
  }
}

/** Sessions by connection, reused while the configuration is the same (uri + credentials). */
const SESSIONS = new Map<string, { fingerprint: string; session: VirshSession }>();

export function sessionFor(key: string, uri: string, credentials: Credentials | null): VirshSession {
  const fingerprint = JSON.stringify([uri, credentials]);
  const known = SESSIONS.get(key);
  if (known && known.fingerprint === fingerprint) return known.session;
  known?.session.close();
  const session = new VirshSession(uri, credentials);
  SESSIONS.set(key, { fingerprint, session });
  return session;
}

/** Closes every session of this process (shutdown, the end of a test file). */
export function closeSessions(): void {
  for (const { session } of SESSIONS.values()) session.close();
  SESSIONS.clear();
}
