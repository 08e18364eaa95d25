/**
 * A share as the server sends it ("0.15", "1.0") as a percentage ("15%", "100%"), by string operations only:
 * policy ratios are never parsed to floating point.
 */
export function ratioAsPercent(value: string): string {
  const [whole = '0', fraction = ''] = value.split('.');
  const digits = fraction.padEnd(4, '0');
  const percent = String(Number(whole) * 100 + Number(digits.slice(0, 2)));
  const rest = digits.slice(2).replace(/0+$/, '');
  return `${percent}${rest ? `.${rest}` : ''}%`;
}
