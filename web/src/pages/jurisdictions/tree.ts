import type { Jurisdiction } from '../../api/types';

export interface JurisdictionNode extends Jurisdiction {
  /** Absent on leaves, so the table shows no expand button for them. */
  children?: JurisdictionNode[];
}

/**
 * Nests jurisdictions under their parents (city → districts, dedicated domains), keeping the server's order.
 * A jurisdiction whose parent is not in the list becomes a root, so nothing disappears from view.
 */
export function buildJurisdictionTree(items: readonly Jurisdiction[]): JurisdictionNode[] {
  const nodes = new Map<string, JurisdictionNode>(items.map((item) => [item.code, { ...item }]));
  const roots: JurisdictionNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentCode && node.parentCode !== node.code ? nodes.get(node.parentCode) : undefined;
    if (parent) {
      parent.children ??= [];
      parent.children.push(node);
    } else {
      roots.push(node);
    }
  }
  return roots;
}
