/**
 * A decimal string as the server sends it ("120.5000"), without trailing zeros ("120.5"), by string operations
 * only: prices are never parsed to floating point.
 */
export function trimDecimal(value: string): string {
  if (!value.includes('.')) return value;
  return value.replace(/0+$/, '').replace(/\.$/, '');
}
