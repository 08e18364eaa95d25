import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { deliveryJob } from '../src/modules/notifications/index.ts';
import type { TestApp } from './helpers.ts';

/** A received mail: its envelope recipients and its decoded text body. */
export interface ReceivedMail {
  to: string[];
  text: string;
  /** the message as received (headers and every MIME part), for mails with attachments */
  raw: string;
}

export interface Mailbox {
  /** YUNGUAN_SMTP_URL / YUNGUAN_MAIL_FROM for testApp's config */
  config: Record<string, string>;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

/** The text of a single-part mail, its transfer encoding (quoted-printable or base64) undone. */
function decodeText(raw: string): string {
  const split = raw.search(/\r?\n\r?\n/);
  const headers = raw.slice(0, split).replace(/\r?\n[ \t]+/g, ' ');
  const body = raw.slice(split).trim();
  const encoding = /^content-transfer-encoding:\s*(\S+)/im.exec(headers)?.[1]?.toLowerCase();
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

/** A local SMTP server that keeps what it receives. */
export async function startMailbox(): Promise<Mailbox> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          text: decodeText(Buffer.concat(chunks).toString('latin1')),
          raw: Buffer.concat(chunks).toString('latin1'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    config: { YUNGUAN_SMTP_URL: `smtp://127.0.0.1:${port}`, YUNGUAN_MAIL_FROM: 'Yunguan <noreply@yunguan.test>' },
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const quiet = { info: () => {}, warn: () => {}, error: () => {} };

/**
 * Sends what the outbox holds, then reads the temporary password of the newest mail to `email` (the English
 * line, which stays ASCII whatever the transfer encoding).
 */
export async function mailedTemporaryPassword(t: TestApp, mailbox: Mailbox, email: string): Promise<string> {
  await deliveryJob().run({ db: t.database.db, now: new Date(), log: quiet });
  const mail = mailbox.mails.filter((m) => m.to.includes(email)).at(-1);
  const password = mail && /Temporary password of \S+: ([A-Za-z0-9-]+)\./.exec(mail.text)?.[1];
  if (!password) throw new Error(`no temporary password was mailed to ${email}`);
  return password;
}

/** A part of a multipart mail: its content type, file name (attachments) and decoded bytes. */
export interface MailPart {
  contentType: string;
  filename: string | null;
  content: Buffer;
}

/** The leaf parts of a multipart mail (text and attachments), their transfer encoding undone. */
export function mailParts(raw: string): MailPart[] {
  const boundaries = [...raw.matchAll(/boundary="?([^";\r\n]+)"?/gi)].map((m) => m[1] as string);
  if (boundaries.length === 0) return [];
  let pieces = [raw];
  for (const b of boundaries) pieces = pieces.flatMap((p) => p.split(`--${b}`));
  const parts: MailPart[] = [];
  for (const piece of pieces) {
    const split = piece.search(/\r?\n\r?\n/);
    if (split < 0) continue;
    const headers = piece.slice(0, split).replace(/\r?\n[ \t]+/g, ' ');
    const type = /^content-type:\s*([^;\s]+)/im.exec(headers)?.[1]?.toLowerCase();
    if (!type || type.startsWith('multipart/')) continue;
    const filename = /filename\*?=(?:utf-8'')?"?([^";\r\n]+)"?/i.exec(headers)?.[1] ?? null;
    const encoding = /^content-transfer-encoding:\s*(\S+)/im.exec(headers)?.[1]?.toLowerCase();
    const body = piece.slice(split).trim();
    const content =
      encoding === 'base64'
        ? Buffer.from(body.replace(/\s+/g, ''), 'base64')
        : Buffer.from(decodeText(`Content-Transfer-Encoding: ${encoding ?? '7bit'}\n\n${body}`), 'utf8');
    parts.push({ contentType: type, filename, content });
  }
  return parts;
}
