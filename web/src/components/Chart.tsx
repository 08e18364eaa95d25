import { type CSSProperties, useEffect, useRef } from 'react';
import { type ChartOption, type ECharts, init } from './echarts';

export interface ChartProps {
  option: ChartOption;
  /** What the chart shows, for screen readers (the canvas itself says nothing). */
  ariaLabel: string;
  height?: CSSProperties['height'];
}

/**
 * An ECharts instance tied to a React element: created on mount, resized with its container, disposed on
 * unmount. A new `option` replaces the previous one (memoise it to avoid redraws).
 */
export function Chart({ option, ariaLabel, height = 280 }: ChartProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<ECharts | null>(null);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const chart = init(container, undefined, { renderer: 'canvas' });
    chartRef.current = chart;
    let frame = 0;
    // Resize on the next frame: resizing inside the observer callback can trigger a ResizeObserver loop.
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => chart.resize());
    });
    observer.observe(container);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      chart.dispose();
      chartRef.current = null;
    };
  }, []);

  useEffect(() => {
    chartRef.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={containerRef} role="img" aria-label={ariaLabel} style={{ width: '100%', height }} />;
}
