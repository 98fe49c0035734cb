/**
 * Shared report rendering (S8 monthly report, S16 inspection report, S17 acceptance pack):
 * - pdf.ts: `PdfRenderer` / `sharedPdfRenderer()` — HTML → PDF in headless Chromium, optionally byte-reproducible;
 * - html.ts: `ReportHtmlRenderer` — handlebars pages under templates/reports/ with the shared print layout;
 * - charts.ts: `renderBarChartSvg`, `renderLineChartSvg`, `renderPieChartSvg`, `renderGaugeChartSvg`, `renderChartSvg`;
 * - xlsx.ts: `createWorkbook`, `addTableSheet`, `addKeyValueSheet`, `workbookToBuffer` (fixed metadata and dates);
 * - zip.ts: `buildZip`, `readZip` (fixed dates, stable order).
 */
export * from './charts';
export * from './html';
export * from './pdf';
export * from './xlsx';
export * from './zip';
