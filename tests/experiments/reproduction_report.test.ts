// The report as a pure function of analysed results: fed synthetic results that violate each of
// the paper's findings, its verdict table says so; reduced-scale settings put the caveat first;
// paper-scale settings do not; missing data are named with the command that produces them.
import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import {
  loadReproductionData,
  type ReproductionData,
  type ReproductionManifest,
  reproductionReport,
} from "../../lib/experiments/reproduction_report.ts";
import { FINDING_RULES, type FindingId } from "../../lib/experiments/findings.ts";
import { renderReportHtml, type Report } from "../../lib/plot/mod.ts";
import { type SyntheticRun, syntheticRun } from "./_synthetic.ts";

const QUICK: ReproductionManifest = {
  format: "pgsubspace-reproduction/1",
  name: "quick",
  purpose: "preset quick: a smoke test",
  k: 10,
  t1: 10_000,
  smoothingSteps: 5_000,
  analysis: { preciseSamples: 2_000, ks: [1, 5, 10], tol: 1e-4, seed: 0 },
  experiments: [],
};

function data(specs: SyntheticRun[], manifest: ReproductionManifest = QUICK): ReproductionData {
  return { root: "/synthetic", manifest, runs: specs.map(syntheticRun) };
}

function good(): SyntheticRun[] {
  return [0, 1].flatMap((seed) => [
    { algo: "ppo" as const, seed, fraction: { actor: 0.45, critic: 0.6 } },
    { algo: "sac" as const, seed, fraction: { actor: 0.7, critic: 0.8 } },
  ]);
}

function markdownOf(report: Report): string {
  return report.blocks.map((b) => ("markdown" in b ? b.markdown : `[figure] ${b.caption ?? ""}`))
    .join("\n\n");
}

/** Verdict-table rows of one finding (a group's later rows leave the claim cell empty). */
function verdictRows(report: Report, id: FindingId): string[] {
  const findings = report.blocks.find((b) =>
    "markdown" in b && b.markdown.startsWith("## Findings")
  );
  const out: string[] = [];
  let current = "";
  for (const line of (findings as { markdown: string }).markdown.split("\n")) {
    const claim = /^\| ([^|]*?) ?\|/.exec(line)?.[1];
    if (claim === undefined || claim.startsWith("---")) continue;
    if (claim !== "") current = claim;
    if (current === FINDING_RULES[id].claim) out.push(line);
  }
  return out;
}

Deno.test("report: synthetic results violating each finding → its verdict says 'does not hold'", () => {
  const violations: [FindingId, (s: SyntheticRun) => SyntheticRun][] = [
    ["curvature", (s) => ({ ...s, spectrum: Array.from({ length: 300 }, () => 1) })],
    ["fraction", (s) => ({ ...s, fraction: { actor: 0.05, critic: 0.06 } })],
    [
      "critic-vs-actor",
      (s) => ({ ...s, fraction: { actor: s.fraction.critic, critic: s.fraction.actor } }),
    ],
    ["sac-vs-ppo", (s) => s.algo === "sac" ? { ...s, fraction: { actor: 0.4, critic: 0.5 } } : s],
    ["minibatch-vs-precise", (s) => ({ ...s, miniBatchFactor: 1.2 })],
    ["overlap", (s) => ({ ...s, overlap: [0.5, 0.01, 0.01] })],
  ];
  const baseline = reproductionReport(data(good()));
  for (const [id] of violations) {
    const rows = verdictRows(baseline, id);
    assert(rows.length > 0 && rows.every((r) => r.includes("| **holds** |")), `${id}: ${rows}`);
  }
  for (const [id, change] of violations) {
    const report = reproductionReport(data(good().map(change)));
    const rows = verdictRows(report, id);
    assert(
      rows.some((r) => r.includes("| **does not hold** |")),
      `${id} not flagged:\n${rows.join("\n")}`,
    );
    // The numbers behind the verdict are in the row (mean ± std over seeds).
    assert(rows.every((r) => r.includes(" ± ")), rows.join("\n"));
  }
  // Not measured: no spectra and only PPO.
  const ppo = reproductionReport(
    data(good().filter((s) => s.algo === "ppo").map((s) => ({ ...s, spectrum: null }))),
  );
  assert(verdictRows(ppo, "curvature").every((r) => r.includes("not measured")));
  assert(verdictRows(ppo, "sac-vs-ppo").every((r) => r.includes("not measured")));
});

Deno.test("report: the reduced-scale caveat comes first and says what differs and what it changes", () => {
  // A setting that differs for one experiment only names it.
  const wide = good().map((x) => (x.algo === "ppo" ? { ...x, netArch: [64, 64] } : x));
  const only = (reproductionReport(data(wide)).blocks[0] as { markdown: string }).markdown;
  assertStringIncludes(only, "> | network | SAC Pendulum-v1: 256×256 | SAC Pendulum-v1: 16×16 |");
  const report = reproductionReport(data(good()));
  const first = report.blocks[0] as { markdown: string };
  assert(
    first.markdown.startsWith("> **Reduced-scale reproduction (preset quick: a smoke test).**"),
  );
  for (
    const text of [
      "> | network | PPO Pendulum-v1: 64×64; SAC Pendulum-v1: 256×256 | 16×16 |",
      "precise samples",
      "largest k",
      "seeds",
      "phase-split smoothing",
      "k/N",
    ]
  ) {
    assertStringIncludes(first.markdown, text);
  }
  assertEquals(report.title, "pgsubspace reproduction — preset quick");
  // Settings, phases, tables and provenance are all computed from the data.
  const md = markdownOf(report);
  for (
    const text of [
      "| PPO · Pendulum-v1 | 0, 1 | 40,000 | 16×16 tanh | 300 / 290 |",
      "**k/N (random subspace)**",
      "bulk median",
      "last step of the initial phase",
      "S_overlap(t1, t2) by t2",
      "Versions: pgsubspace 0.1.0",
      "Data: [",
    ]
  ) assertStringIncludes(md, text);
  // It renders (every figure finite) and links the data files relative to the report.
  const html = renderReportHtml(report, { plotly: { src: "plotly.min.js" } });
  assertStringIncludes(html, 'href="ppo-Pendulum-v1-seed0/analysis/synthetic/results.jsonl"');
});

Deno.test("report: paper-scale settings give no caveat", () => {
  const paper: ReproductionManifest = {
    ...QUICK,
    name: "paper-sac",
    purpose: undefined,
    k: 100,
    t1: 100_000,
    smoothingSteps: 20_000,
    analysis: { preciseSamples: 1_000_000, ks: [1, 10, 100], tol: 1e-4, seed: 0 },
  };
  const runs = Array.from({ length: 10 }, (_, seed) => ({
    algo: "sac" as const,
    seed,
    fraction: { actor: 0.7, critic: 0.8 },
    netArch: [256, 256],
    totalSteps: 300_000,
    preciseSamples: 1_000_000,
    ks: [1, 10, 100],
    n: { actor: 67_330, critic: 134_658 },
  }));
  const report = reproductionReport(data(runs, paper));
  assert(!markdownOf(report).includes("Reduced-scale"), markdownOf(report).slice(0, 400));
});

Deno.test("report data: a missing reproduction names the command that produces it", async () => {
  await assertRejects(
    () => loadReproductionData("/tmp/pgsubspace-no-such-dir/reproduce-quick"),
    Error,
    "(the directory does not exist): produce them with `deno task reproduce --preset quick`",
  );
});
