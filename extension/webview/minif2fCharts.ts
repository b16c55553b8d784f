/**
 * The miniF2F report page's script (bundled with Chart.js into dist/minif2fCharts.js, loaded by the page under its
 * Content-Security-Policy nonce; never from a network). It draws the four charts from the report's data, which the
 * page carries as JSON, and in VS Code's webview shows the export buttons, whose clicks it posts to the extension.
 * It writes no HTML: chart labels are drawn on canvases, and the page's tables come escaped from the server.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartDataset,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import type { BenchmarkReport, ReportPageMessage } from '../../protocol';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Legend,
  Tooltip,
);

const report = JSON.parse(document.getElementById('report-data')?.textContent ?? '{}') as BenchmarkReport;

/** A VS Code theme color (the webview sets them as CSS variables), or the fallback outside VS Code. */
function color(variable: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(variable).trim() || fallback;
}
const foreground = color('--vscode-foreground', '#333');
const grid = color('--vscode-panel-border', 'rgba(128,128,128,0.3)');
const palette = [color('--vscode-charts-blue', '#3b82f6'), color('--vscode-charts-orange', '#f59e0b')];
const publishedColor = color('--vscode-charts-foreground', '#9ca3af');
const triedColor = color('--vscode-charts-lines', 'rgba(128, 128, 128, 0.45)');
Chart.defaults.color = foreground;
Chart.defaults.borderColor = grid;
// Still pictures: the report is read, and screenshots of it compared.
Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;

function splitsChart(): void {
  const run = report.splits.map((s) => ({
    label: `this run: ${s.split}`,
    value: s.percentOfSplit,
    color: palette[0]!,
  }));
  const published = report.published.map((p) => ({ label: p.system, value: p.percent, color: publishedColor }));
  const bars = [...run, ...published];
  new Chart('chart-splits', {
    type: 'bar',
    data: {
      labels: bars.map((b) => b.label),
      datasets: [
        { label: '% of the split solved', data: bars.map((b) => b.value), backgroundColor: bars.map((b) => b.color) },
      ],
    },
    options: {
      indexAxis: 'y',
      scales: { x: { min: 0, max: 100, title: { display: true, text: '% solved' } } },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            afterLabel: (item) => {
              const i = item.dataIndex - run.length;
              return i >= 0 ? (report.published[i]?.setup ?? '') : 'this run (header above)';
            },
          },
        },
      },
    },
  });
}

function categoriesChart(): void {
  const categories = [...new Set(report.categories.filter((c) => c.total > 0).map((c) => c.category))];
  const datasets = report.splits.map(
    (s, i): ChartDataset<'bar', number[]> => ({
      label: `solved (${s.split})`,
      data: categories.map((c) => report.categories.find((x) => x.split === s.split && x.category === c)?.solved ?? 0),
      backgroundColor: palette[i % palette.length]!,
    }),
  );
  const tried = report.splits.map(
    (s): ChartDataset<'bar', number[]> => ({
      label: `tried (${s.split})`,
      data: categories.map((c) => report.categories.find((x) => x.split === s.split && x.category === c)?.tried ?? 0),
      backgroundColor: triedColor,
    }),
  );
  new Chart('chart-categories', {
    type: 'bar',
    data: { labels: categories, datasets: [...datasets, ...tried] },
    options: {
      scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'problems' } } },
    },
  });
}

function curveChart(id: string, pick: 'byExpansions' | 'bySeconds', axis: string): void {
  new Chart(id, {
    type: 'line',
    data: {
      datasets: report.curves.map((c, i) => ({
        label: `proved (${c.split})`,
        data: c[pick].map((p) => ({ x: p.x, y: p.solved })),
        stepped: 'before' as const,
        borderColor: palette[i % palette.length]!,
        backgroundColor: palette[i % palette.length]!,
        pointRadius: 2,
      })),
    },
    options: {
      scales: {
        x: { type: 'linear', min: 0, title: { display: true, text: axis } },
        y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'problems proved' } },
      },
    },
  });
}

splitsChart();
categoriesChart();
curveChart('chart-expansions', 'byExpansions', 'expansions');
curveChart('chart-seconds', 'bySeconds', 'seconds');
document.body.dataset['charts'] = 'drawn';

// In VS Code's webview: the export buttons post to the extension, which asks where to save.
declare function acquireVsCodeApi(): { postMessage(message: ReportPageMessage): void };
if (typeof acquireVsCodeApi === 'function') {
  const vscode = acquireVsCodeApi();
  document.getElementById('actions')?.removeAttribute('hidden');
  for (const format of ['markdown', 'json'] as const) {
    document
      .getElementById(`export-${format}`)
      ?.addEventListener('click', () => vscode.postMessage({ type: 'export', format }));
  }
}
