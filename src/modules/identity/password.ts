import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

// argon2id (the library's default algorithm) with OWASP's recommended minimum cost.
const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

// Verifying against this when the user does not exist keeps the answer time the same either way.
let dummyHash: Promise<string> | undefined;
export async function burnVerification(password: string): Promise<void> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(await dummyHash, password);
}

export interface PasswordRules {
  minLength: number;
}

/** The policy's findings in Chinese and English; empty when the password is acceptable. */
export function passwordProblems(password: string, username: string, rules: PasswordRules): string[] {
  const problems: string[] = [];
  if ([...password].length < rules.minLength) {
    problems.push(`至少 ${rules.minLength} 个字符 / at least ${rules.minLength} characters`);
  }
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (classes < 3) {
    problems.push(
      '至少包含大写字母、小写字母、数字、符号中的三类 / at least 3 of: lower case, upper case, digits, symbols',
    );
  }
  const lower = password.toLowerCase();
  if (lower.includes(username.toLowerCase())) problems.push('不能包含用户名 / must not contain the user name');
  return problems;
}

/** A temporary password that meets the policy, for admin resets and new accounts. */
export function temporaryPassword(): string {
  const body = randomBytes(12).toString('base64url').replace(/[-_]/g, 'x');
  return `Yg-${body}9a`;
}
