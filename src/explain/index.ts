// cr.explain: show the backward pass. trace() records one forward and backward pass op by op
// (and the optimizer's update); renderers print it as the notes' flow chart, Markdown with LaTeX
// or JSON; graph exports draw the gradFn graph; diagnostics and saliency maps read gradients.
// Everything here runs in browsers too (the CLI's HTML page and server live in src/cli).

export { trace, type TraceOptions } from "./trace.js";
export {
  Trace,
  type TraceStep,
  type TraceValue,
  type ValueKind,
  type StepBackward,
  type ParamUpdate,
} from "./trace-data.js";
export { modulePathOf } from "./trace-recorder.js";
export { scope, withScopePath, type ModuleLike } from "./scope.js";
export { fmt, fmtSnapshot, snapshot, type Snapshot, KEEP_LIMIT, PRINT_LIMIT } from "./format.js";
export { ruleOf, GATE_TEXT, GATE_NAME, type Gate, type ExplainRule, type Factor } from "./rules.js";
export { forwardSubstitutions, backwardSubstitutions, copySubstitutions, type Substitution } from "./substitute.js";
export { renderText, forwardLines, backwardStepLines, elementName, type RenderOptions } from "./render-text.js";
export { framesOf, type Frame } from "./frames.js";
export { renderMarkdown } from "./render-markdown.js";
export { renderJSON, traceReport } from "./render-json.js";
export {
  graphOf,
  graphOfTrace,
  toDot,
  toMermaid,
  toGraphJSON,
  type GraphModel,
  type GraphNode,
  type GraphEdge,
} from "./graph.js";
export { toSvg, layoutGraph, type Layout, type SvgOptions } from "./graph-svg.js";
export { parseProgram, evaluate, freeVariables, type Statement } from "./expression.js";
export {
  runMlp,
  runExpression,
  mlpNames,
  traceScenario,
  lossOf,
  type Scenario,
  type MlpScenario,
  type ExpressionScenario,
  type MlpRun,
  type Activation,
  type LossKind,
} from "./scenario.js";
export { walkthrough, type Walkthrough } from "./walkthrough.js";
export {
  walkthroughText,
  walkthroughMarkdown,
  compareWithNotes,
  agreesWith,
  type NotesFigure,
  type Comparison,
} from "./render-walkthrough.js";
export { SEEDS, isSeedName, type Seed, type SeedName } from "./seeds.js";
export { explainScenario, explainSeed, explanationJSON, type Explanation, type ExplainOptions } from "./explanation.js";
export {
  gradientFlow,
  diagnose,
  flowReportText,
  DEFAULT_THRESHOLDS,
  type FlowReport,
  type LayerFlow,
  type FlowThresholds,
  type DiagnoseOptions,
} from "./diagnostics.js";
export { flowReportSvg } from "./diagnostics-svg.js";
export { saliency, type SaliencyMap } from "./saliency.js";
export {
  heatmapSvg,
  heatmapPng,
  heatmapLayout,
  heatColor,
  type HeatmapOptions,
  type HeatmapLayout,
  type LayoutRect,
  type LayoutText,
} from "./heatmap.js";
export { encodePng } from "./png.js";
