import { createHash } from 'node:crypto';
import * as echarts from 'echarts';

/**
 * Server-side SVG charts (ECharts' SSR renderer) for the reports (S8 monthly report, S16 inspection report): the SVG
 * goes inline into the report's HTML, so the PDF holds vector charts and no script runs in the page.
 */

/** The CJK font Debian's fonts-wqy-zenhei gives (installed with Chromium by scripts/ensure-chromium.sh). */
export const REPORT_FONT_FAMILY = '"WenQuanYi Zen Hei", "Noto Sans CJK SC", sans-serif';
export const REPORT_PALETTE = ['#2f6fb3', '#e07b39', '#3a9d5d', '#c23b3b', '#7d5ba6', '#8c8c8c', '#d4a017', '#2aa3a3'];

export interface ChartSize {
  width?: number;
  height?: number;
}

/**
 * Any ECharts option rendered to an SVG string. Animation is off and ids are derived from the option itself, so the
 * same data gives the same SVG (S17's byte-for-byte packs) and two charts in one page never share class names.
 */
export function renderChartSvg(option: echarts.EChartsCoreOption, size: ChartSize = {}): string {
  const width = size.width ?? 640;
  const height = size.height ?? 320;
  const full = {
    animation: false,
    color: REPORT_PALETTE,
    textStyle: { fontFamily: REPORT_FONT_FAMILY },
    ...option,
  };
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(full);
    const svg = chart.renderToSVGString();
    // zrender numbers its instances per process (zr0-, zr1-…): replace the counter with a key of the content.
    const key = createHash('sha1').update(JSON.stringify(full)).update(`${width}x${height}`).digest('hex').slice(0, 8);
    // Class and def ids are numbered from caches shared across instances: renumber them in order of appearance.
    const seen = new Map<string, string>();
    const counts = new Map<string, number>();
    return svg
      .replace(/\bzr\d+-([a-zA-Z]+)-?(\d+)/g, (whole, kind: string) => {
        let id = seen.get(whole);
        if (!id) {
          const n = counts.get(kind) ?? 0;
          counts.set(kind, n + 1);
          id = `c${key}-${kind}-${n}`;
          seen.set(whole, id);
        }
        return id;
      }).replace(/\bzr\d+-/g, `c${key}-`);
  } finally {
    chart.dispose();
  }
}

export interface Series {
  name: string;
  values: number[];
}

export interface CategoryChart extends ChartSize {
  title?: string;
  categories: string[];
  series: Series[];
  /** Axis label of the values, e.g. "件" or "%". */
  unit?: string;
  stacked?: boolean;
  horizontal?: boolean;
  /** Fixes the value axis (compliance charts read 0–100). */
  max?: number;
}

function categoryOption(kind: 'bar' | 'line', c: CategoryChart): echarts.EChartsCoreOption {
  const categoryAxis = { type: 'category', data: c.categories, axisLabel: { interval: 0, rotate: c.horizontal || c.categories.length <= 6 ? 0 : 30 } };
  const valueAxis = { type: 'value', name: c.unit, max: c.max, minInterval: 1 };
  return {
    title: c.title ? { text: c.title, left: 'center', textStyle: { fontSize: 14 } } : undefined,
    legend: c.series.length > 1 ? { bottom: 0 } : undefined,
    grid: { left: 48, right: 24, top: c.title ? 40 : 16, bottom: c.series.length > 1 ? 56 : 40, containLabel: true },
    xAxis: c.horizontal ? valueAxis : categoryAxis,
    yAxis: c.horizontal ? categoryAxis : valueAxis,
    series: c.series.map((s) => ({
      type: kind,
      name: s.name,
      data: s.values,
      stack: c.stacked ? 'total' : undefined,
      label: { show: c.categories.length <= 12, position: c.stacked ? 'inside' : c.horizontal ? 'right' : 'top' },
    })),
  };
}

/** Bars per category (counts by system, priority, category…). */
export function renderBarChartSvg(chart: CategoryChart): string {
  return renderChartSvg(categoryOption('bar', chart), chart);
}

/** Lines over categories (trends per month or per inspection). */
export function renderLineChartSvg(chart: CategoryChart): string {
  return renderChartSvg(categoryOption('line', chart), chart);
}

export interface PieChart extends ChartSize {
  title?: string;
  slices: { name: string; value: number }[];
}

/** Shares of a whole (breaches by cause, findings by severity…). */
export function renderPieChartSvg(chart: PieChart): string {
  return renderChartSvg(
    {
      title: chart.title ? { text: chart.title, left: 'center', textStyle: { fontSize: 14 } } : undefined,
      legend: { bottom: 0 },
      series: [
        {
          type: 'pie',
          radius: ['30%', '60%'],
          center: ['50%', '48%'],
          data: chart.slices,
          label: { formatter: '{b}: {c}' },
        },
      ],
    },
    chart,
  );
}

export interface GaugeChart extends ChartSize {
  title?: string;
  value: number;
  /** 100 unless told (health scores, compliance percentages). */
  max?: number;
}

/** One figure against its scale (a health score, a compliance rate). */
export function renderGaugeChartSvg(chart: GaugeChart): string {
  return renderChartSvg(
    {
      series: [
        {
          type: 'gauge',
          min: 0,
          max: chart.max ?? 100,
          progress: { show: true },
          detail: { formatter: '{value}', fontSize: 20 },
          title: { show: !!chart.title },
          data: [{ value: chart.value, name: chart.title ?? '' }],
        },
      ],
    },
    { width: chart.width ?? 240, height: chart.height ?? 200 },
  );
}
