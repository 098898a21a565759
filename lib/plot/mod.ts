/**
 * Figures, display and export for pgsubspace: pure Plotly figure builders for the paper's
 * figures (figures.ts), Box2D episodes drawn from scene frames (box2d.ts), the shared palette
 * (palette.ts), band arithmetic over seeds (bands.ts), symlog binning (symlog.ts), notebook
 * display in the Deno Jupyter kernel (display.ts), standalone HTML reports (report.ts) and SVG/PNG
 * export through headless Chromium (static_export.ts).
 *
 * @example
 * ```ts
 * import { seedBand, show, subspaceOverlapFigure } from "./mod.ts";
 * const band = seedBand([
 *   { steps: [200_000, 300_000], values: [0.62, 0.55] },
 *   { steps: [200_000, 300_000], values: [0.58, 0.49] },
 * ]);
 * show(subspaceOverlapFigure({ t1: 100_000, k: 100, curves: [{ network: "critic", algo: "ppo", band }] }));
 * ```
 *
 * @module
 */

export type {
  Algorithm,
  Estimator,
  Network,
  PlotlyFigure,
  PlotlyLayout,
  PlotlyNumbers,
  PlotlyTrace,
} from "./types.ts";
export * from "./palette.ts";
export {
  type Band,
  emaSmooth,
  meanAndStd,
  seedBand,
  type SeedBandOptions,
  type Series,
  seriesFromRows,
} from "./bands.ts";
export {
  DEFAULT_LINTHRESH,
  histogramCounts,
  inverseSymlog,
  symlog,
  symlogBinEdges,
  type SymlogBinOptions,
  symlogTicks,
} from "./symlog.ts";
export {
  type BandStyle,
  bandTraces,
  type BarValue,
  eigenvalueIndexFigure,
  type EigenvalueIndexOptions,
  type EigenvalueRun,
  eigenvalueTrajectoryFigure,
  type EigenvalueTrajectoryInput,
  type FractionBarGroup,
  type FractionBarPanel,
  type FractionByKInput,
  type FractionOverTimeInput,
  type FractionOverTimeSeries,
  learningCurveFigure,
  type LearningCurveInput,
  type LearningCurveSeries,
  type OverlapCurve,
  spectrumHistogramFigure,
  type SpectrumHistogramOptions,
  type SpectrumPanel,
  subsampleIndices,
  subspaceFractionBarsFigure,
  type SubspaceFractionBarsInput,
  subspaceFractionByKFigure,
  subspaceFractionOverTimeFigure,
  subspaceOverlapFigure,
  type SubspaceOverlapInput,
} from "./figures.ts";
export { box2dEpisodeFigure, type Box2DEpisodeFigureOptions } from "./box2d.ts";
export { addPanels, baseLayout, type PanelAxes, panelAxes } from "./layout.ts";
export { assertFiniteFigure, figureProblems } from "./validate.ts";
export {
  escapeHtml,
  figureDivHtml,
  type FigureDivOptions,
  figureJson,
  jsonForScript,
} from "./html.ts";
export { inlinePlotlyScript, plotlyPath, plotlySource } from "./plotly_source.ts";
export {
  describeFigure,
  figureBundle,
  flushDisplays,
  inKernel,
  type KernelChannel,
  kernelChannel,
  LiveDisplay,
  type LiveDisplayOptions,
  type MimeBundle,
  PLOTLY_MIME,
  resetPlotlyInjection,
  show,
  showMarkdown,
  type ShowOptions,
} from "./display.ts";
export { markdownInline, markdownToHtml } from "./markdown.ts";
export { type NotebookDocument, notebookHtml } from "./notebook_html.ts";
export {
  renderReportHtml,
  type Report,
  type ReportBlock,
  type ReportOptions,
  writeReport,
} from "./report.ts";
export {
  chromiumFlags,
  type ChromiumOutput,
  findChromium,
  requireChromium,
  runChromium,
  type RunChromiumOptions,
} from "./chromium.ts";
export {
  exportStaticImage,
  renderStaticImage,
  screenshotHtml,
  type ScreenshotOptions,
  type StaticExportOptions,
} from "./static_export.ts";
