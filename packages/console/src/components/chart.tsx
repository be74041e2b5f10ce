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
}

export function Chart({ title, options, data, height = 220, testId }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const el = box.current!;
    const p = new uPlot({ ...options, title, width: Math.max(280, el.clientWidth), height }, data, el);
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
    plot.current?.setData(data);
  }, [data]);
  return <div className="chart" ref={box} data-testid={testId} role="img" aria-label={title} />;
}

/** Bars for uPlot series (one path builder shared by the charts that draw bars). */
export const bars = uPlot.paths.bars!({ size: [0.6, 40] });
