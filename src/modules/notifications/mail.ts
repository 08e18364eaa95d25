/** SMTP settings of this process (from YUNGUAN_SMTP_URL / YUNGUAN_MAIL_FROM); undefined: no e-mail. */
export interface MailSettings {
  smtpUrl: string;
  from: string;
}

let settings: MailSettings | undefined;

/** Set once by buildApp from the configuration; e-mails are queued only while it is set. */
export function configureMail(value: MailSettings | undefined): void {
  settings = value;
}

export function mailSettings(): MailSettings | undefined {
  return settings;
}
