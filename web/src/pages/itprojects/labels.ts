import type { Declaration } from '../../api/hooks/it-projects';

// Shared display helpers of the IT-project pages: amounts in yuan, the declaration's status colours.

export const yuanText = (v: string | null | undefined) => (v == null ? '—' : `¥${v}`);

/** A monthly price in fen (the deployment plan's lines) as yuan. */
export const fenText = (fen: string | null | undefined) => {
  if (fen == null) return '—';
  const n = BigInt(fen);
  return `¥${n / 100n}.${String(n % 100n).padStart(2, '0')}`;
};

export const STATUS_COLOURS: Record<Declaration['status'], string> = {
  draft: 'default',
  submitted: 'blue',
  review_passed: 'cyan',
  review_failed: 'red',
  in_plan: 'geekblue',
  not_in_plan: 'orange',
  approved: 'green',
  design_approved: 'green',
};
