import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

/** The distribution of satisfaction scores (1–5) as a bar chart (ECharts, only the parts it needs). */
export function SatisfactionChart({ distribution, label }: { distribution: Record<string, number>; label: string }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const chart = echarts.init(el.current);
    chart.setOption({
      tooltip: {},
      grid: { left: 40, right: 16, top: 16, bottom: 30 },
      xAxis: { type: 'category', data: ['1', '2', '3', '4', '5'].map((s) => `${s} ★`) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', name: label, data: ['1', '2', '3', '4', '5'].map((s) => distribution[s] ?? 0), itemStyle: { color: '#1668dc' } }],
    });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [distribution, label]);
  return <div ref={el} style={{ width: '100%', height: 220 }} data-testid="satisfaction-chart" />;
}
