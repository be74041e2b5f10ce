/** A uPlot chart in a React component: created once per mount, data updated in place, resized with its container. */
import { useEffect, useRef } from 'react';
import uPlot, { type AlignedData, type Options } from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartProps {
  title: string;
  options: Omit<Options, 'width' | 'height' | 'title'>;
  data: AlignedData;
  height?: number;
  testId?: string;
  /** A time chart showing at least this many seconds up to its last point (a few samples do not stretch over years). */
  windowSeconds?: number;
}

function applyWindow(p: uPlot, data: AlignedData, windowSeconds: number | undefined): void {
  const xs = data[0] as ArrayLike<number>;
  if (!windowSeconds || xs.length === 0) return;
  const last = xs[xs.length - 1]!;
  p.setScale('x', { min: Math.min(xs[0]!, last - windowSeconds), max: last + 1 });
}

export function Chart({ title, options, data, height = 220, testId, windowSeconds }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const el = box.current!;
    const scales = windowSeconds ? { ...options.scales, x: { ...options.scales?.['x'], auto: false } } : options.scales;
    const p = new uPlot({ ...options, ...(scales ? { scales } : {}), title, width: Math.max(280, el.clientWidth), height }, data, el);
    applyWindow(p, data, windowSeconds);
    plot.current = p;
    const resize = new ResizeObserver(() => p.setSize({ width: Math.max(280, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      p.destroy();
      plot.current = null;
    };
    // The options are fixed per chart; data changes go through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [title, height]);
  useEffect(() => {
    if (!plot.current) return;
    plot.current.setData(data);
    applyWindow(plot.current, data, windowSeconds);
  }, [data, windowSeconds]);
  return <div className="chart" ref={box} data-testid={testId} role="img" aria-label={title} />;
}

/** Bars for uPlot series (one path builder shared by the charts that draw bars). */
export const bars = uPlot.paths.bars!({ size: [0.6, 40] });
