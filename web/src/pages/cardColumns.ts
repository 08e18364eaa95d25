import type { TableColumnsType } from 'antd';

/**
 * Columns that name their cells (`data-label`): on a phone a table reads as cards, each value under its
 * column's name (styles.css). Titles that are not plain text label nothing.
 */
export function cardColumns<T>(columns: TableColumnsType<T>): TableColumnsType<T> {
  return columns.map((column) => {
    const label = typeof column.title === 'string' ? column.title : undefined;
    if (!label) return column;
    const own = column.onCell;
    return {
      ...column,
      onCell: (record: T, index?: number) => ({ ...(own?.(record, index) ?? {}), 'data-label': label }) as never,
    };
  });
}
