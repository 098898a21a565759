// Verdict rules of the paper's findings on synthetic analysed runs: data that satisfy every
// finding give "holds"; data that violate one give "does not hold" for that one (and only that
// one); missing data give "not measured". The thresholds are checked at their boundaries.
import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import {
  ABOVE_RANDOM_FACTOR,
  CURVATURE_RATIO_THRESHOLD,
  evaluateFindings,
  type Finding,
  type FindingId,
  type FindingsRun,
  findingSummary,
  spectrumStatistics,
} from "../../lib/experiments/findings.ts";
import { findingsRunOf } from "../../lib/experiments/reproduction_report.ts";
import { concentratedSpectrum, type SyntheticRun, syntheticRun } from "./_synthetic.ts";

const K = 10, T1 = 10_000;

function runs(specs: SyntheticRun[]): FindingsRun[] {
  return specs.map((s) => findingsRunOf(syntheticRun(s)));
}

/** Two seeds each of PPO and SAC where every finding holds. */
function good(): SyntheticRun[] {
  return [0, 1].flatMap((seed) => [
    { algo: "ppo" as const, seed, fraction: { actor: 0.4 + 0.02 * seed, critic: 0.6 } },
    { algo: "sac" as const, seed, fraction: { actor: 0.7, critic: 0.8 + 0.02 * seed } },
  ]);
}

function verdicts(findings: Finding[], id: FindingId): string[] {
  return findings.filter((f) => f.id === id).map((f) => f.verdict);
}

Deno.test("findings: data that satisfy every finding → every verdict holds", () => {
  const findings = evaluateFindings(runs(good()), { k: K, t1: T1 });
  // 2 algorithms × 2 networks (curvature, fraction, minibatch, overlap), 2 critic-vs-actor, 2 SAC-vs-PPO
  assertEquals(findings.length, 4 * 4 + 2 + 2);
  for (const f of findings) {
    assertEquals(f.verdict, "holds", `${f.id} ${f.algo} ${f.network}: ${f.evidence}`);
  }
  const fraction = findings.find((f) =>
    f.id === "fraction" && f.algo === "ppo" && f.network === "actor"
  )!;
  assertAlmostEquals(fraction.values.mean!, 0.41, 1e-12); // mean of 0.40 and 0.42
  assertAlmostEquals(fraction.values.std!, 0.01, 1e-12); // population std
  assertEquals(fraction.values.baseline, 10 / 300);
  assert(fraction.evidence.includes("0.41 ± 0.01"), fraction.evidence);
  assert(fraction.evidence.includes("2 seeds"), fraction.evidence);
});

Deno.test("findings: each violated finding says 'does not hold', the others still hold", () => {
  const cases: [FindingId, (s: SyntheticRun) => SyntheticRun][] = [
    // A flat spectrum: λ_max only 10× the median |λ|.
    [
      "curvature",
      (s) => ({ ...s, spectrum: Array.from({ length: 300 }, (_, i) => (i === 0 ? 10 : 1)) }),
    ],
    // S_frac of the PPO actor at 5 k/N (below the 10 k/N threshold).
    [
      "fraction",
      (s) => s.algo === "ppo" ? { ...s, fraction: { actor: 5 * K / 300, critic: 0.6 } } : s,
    ],
    // PPO critic below its actor.
    [
      "critic-vs-actor",
      (s) => s.algo === "ppo" ? { ...s, fraction: { actor: 0.6, critic: 0.4 } } : s,
    ],
    // SAC below PPO.
    ["sac-vs-ppo", (s) => s.algo === "sac" ? { ...s, fraction: { actor: 0.36, critic: 0.5 } } : s],
    // Mini-batch estimates above the precise one.
    ["minibatch-vs-precise", (s) => ({ ...s, miniBatchFactor: 1.1 })],
    // The overlap drops to 3 k/N at the last t2.
    ["overlap", (s) => ({ ...s, overlap: [0.5, 0.4, 3 * K / 300] })],
  ];
  for (const [violated, change] of cases) {
    const findings = evaluateFindings(runs(good().map(change)), { k: K, t1: T1 });
    const bad = findings.filter((f) => f.verdict !== "holds");
    assert(bad.length > 0, `${violated}: nothing failed`);
    for (const f of bad) {
      assertEquals(f.id, violated, `${violated} also changed ${f.id}: ${f.evidence}`);
      assertEquals(f.verdict, "does not hold");
    }
    assert(findingSummary(findings, violated).includes("does not hold"));
  }
});

Deno.test("findings: missing data → not measured, with the reason", () => {
  const ppoOnly = good().filter((s) => s.algo === "ppo").map((s) => ({ ...s, spectrum: null }));
  const findings = evaluateFindings(runs(ppoOnly), { k: K, t1: 99 });
  assertEquals(verdicts(findings, "curvature"), ["not measured", "not measured"]);
  assertEquals(verdicts(findings, "sac-vs-ppo"), ["not measured", "not measured"]);
  assertEquals(verdicts(findings, "overlap"), ["not measured", "not measured"]);
  assert(findings.find((f) => f.id === "sac-vs-ppo")!.evidence.includes("PPO only"));
  assert(findings.find((f) => f.id === "overlap")!.evidence.includes("t1 = 99"));
  assertEquals(verdicts(evaluateFindings(runs(ppoOnly), { k: 7, t1: T1 }), "fraction"), [
    "not measured",
    "not measured",
  ]);
  assertEquals(findingSummary(findings, "curvature").endsWith("not measured in these data."), true);
});

Deno.test("findings: thresholds at their boundaries (10 k/N, λ_max = 100 × median |λ|)", () => {
  const n = 300;
  const at = (factor: number) =>
    evaluateFindings(
      runs([{ algo: "ppo", seed: 0, fraction: { actor: factor * K / n, critic: factor * K / n } }]),
      { k: K, t1: T1 },
    ).find((f) => f.id === "fraction")!.verdict;
  assertEquals(at(ABOVE_RANDOM_FACTOR), "holds");
  assertEquals(at(ABOVE_RANDOM_FACTOR * 0.99), "does not hold");
  // Median |λ| of [100·c, c, c, c, -c] is c: ratio exactly 100 holds, just below does not.
  const c = 0.02;
  const s = spectrumStatistics({ network: "actor", step: 0, eigenvalues: [100 * c, c, c, c, -c] });
  assertAlmostEquals(s.ratio, CURVATURE_RATIO_THRESHOLD, 1e-9);
  assertEquals(s.negativeShare, 0.2);
  const curvature = (top: number) =>
    evaluateFindings(
      runs([{
        algo: "ppo",
        seed: 0,
        fraction: { actor: 0.5, critic: 0.5 },
        spectrum: [top, c, c, c, -c],
      }]),
      { k: K, t1: T1 },
    ).find((f) => f.id === "curvature" && f.network === "actor")!.verdict;
  assertEquals(curvature(100 * c * 1.001), "holds");
  assertEquals(curvature(99 * c), "does not hold");
  // An SLQ estimate: the weighted median of the quadrature measure.
  const slq = spectrumStatistics({
    network: "critic",
    step: 0,
    slq: { nodes: [[500, 0.01, -0.02]], weights: [[0.01, 0.6, 0.39]] },
  });
  assertEquals([slq.max, slq.bulkMedian], [500, 0.01]);
  assertEquals(
    spectrumStatistics({ network: "actor", step: 0, eigenvalues: concentratedSpectrum(300) }).top
      .length,
    10,
  );
});
