/**
 * The paper's findings as verdicts computed from analysed runs: for each finding, per task,
 * algorithm and network, "holds", "does not hold" or "not measured", with the numbers behind it
 * (mean ± population std over seeds, the paper's np.std). Pure functions of the rows that
 * `analyzeRun` writes (results.jsonl, overlaps.jsonl) and of the full spectra; the report and
 * the notebooks state these verdicts instead of fixed sentences.
 *
 * The rules (k is the headline subspace dimension, N the network's parameter count, k/N the
 * expectation for a random k-dimensional subspace; "S_frac" without qualifier is the precise
 * gradient in the precise Hessian's top-k subspace, averaged per seed over its analysed steps):
 *
 * | finding | holds when | per |
 * |---|---|---|
 * | curvature: top eigenvalues orders of magnitude above the bulk | mean over seeds of log10(λ_max / median\|λ\|) ≥ 2 (λ_max ≥ 100 × the bulk median), from full spectra | task, algorithm, network |
 * | fraction: precise S_frac ≫ k/N | mean over seeds of S_frac ≥ 10 · k/N | task, algorithm, network |
 * | critic ≥ actor | mean over seeds of S_frac(critic) − S_frac(actor) ≥ 0 | task, algorithm |
 * | SAC ≥ PPO | mean over SAC seeds of S_frac ≥ mean over PPO seeds | task, network |
 * | mini-batch below precise | both mini-batch estimators (mini-batch gradient with the precise Hessian; both from mini-batches) have a mean over seeds ≤ the precise one's | task, algorithm, network |
 * | overlap ≫ k/N after the early phase | for every analysed t2 > t1, the mean over seeds of S_overlap(t1, t2) ≥ 10 · k/N | task, algorithm, network |
 *
 * A finding is "not measured" where its data are missing (no full spectrum, no overlap rows at
 * t1, only one algorithm for SAC ≥ PPO, …).
 *
 * @module
 */
import { meanAndStd } from "../plot/bands.ts";
import type { OverlapRow, ResultRow } from "./analyze.ts";

/** A verdict. */
export type Verdict = "holds" | "does not hold" | "not measured";

/** The findings, in the paper's order. */
export const FINDING_IDS = [
  "curvature",
  "fraction",
  "critic-vs-actor",
  "sac-vs-ppo",
  "minibatch-vs-precise",
  "overlap",
] as const;

/** One of {@linkcode FINDING_IDS}. */
export type FindingId = (typeof FINDING_IDS)[number];

/** The top eigenvalue must exceed the bulk median |λ| this many times (two orders of magnitude). */
export const CURVATURE_RATIO_THRESHOLD = 100;

/** "≫ k/N" means at least this multiple of k/N (one order of magnitude). */
export const ABOVE_RANDOM_FACTOR = 10;

/** The claim and the rule of each finding, as the report states them. */
export const FINDING_RULES: Readonly<Record<FindingId, { claim: string; rule: string }>> = {
  curvature: {
    claim: "The top Hessian eigenvalues are orders of magnitude above the bulk",
    rule: `holds when the mean over seeds of log₁₀(λ_max / median |λ|) of the full spectrum is ≥ ${
      Math.log10(CURVATURE_RATIO_THRESHOLD)
    } (λ_max ≥ ${CURVATURE_RATIO_THRESHOLD}× the bulk median)`,
  },
  fraction: {
    claim: "The gradient lies in the high-curvature subspace: precise S_frac ≫ k/N",
    rule: `holds when the mean over seeds of S_frac (precise gradient, precise Hessian, averaged ` +
      `over each seed's analysed steps) is ≥ ${ABOVE_RANDOM_FACTOR} · k/N`,
  },
  "critic-vs-actor": {
    claim: "The critic keeps more of its gradient in the subspace than the actor",
    rule: "holds when the mean over seeds of S_frac(critic) − S_frac(actor) is ≥ 0",
  },
  "sac-vs-ppo": {
    claim: "SAC's gradient subspace fraction is at least PPO's",
    rule: "holds when SAC's mean S_frac over seeds is ≥ PPO's (same task, network and k)",
  },
  "minibatch-vs-precise": {
    claim: "Mini-batch estimates are below the precise one",
    rule: "holds when the mean over seeds of S_frac with a mini-batch gradient (precise Hessian) " +
      "and with a mini-batch gradient and Hessian are both ≤ the precise S_frac",
  },
  overlap: {
    claim: "The subspace changes slowly: S_overlap(t1, t2) ≫ k/N after the early phase",
    rule:
      `holds when, at every analysed t2 > t1, the mean over seeds of S_overlap(t1, t2) is ≥ ${ABOVE_RANDOM_FACTOR} · k/N`,
  },
};

/** A full Hessian spectrum of one network of one run. */
export interface SpectrumSample {
  /** Network. */
  network: "actor" | "critic";
  /** Checkpoint step. */
  step: number;
  /** Every eigenvalue (explicit spectrum), any order. */
  eigenvalues?: ArrayLike<number>;
  /** Or a stochastic Lanczos quadrature estimate: nodes and weights per probe. */
  slq?: { nodes: ArrayLike<number>[]; weights: ArrayLike<number>[] };
}

/** One analysed run as the findings need it. */
export interface FindingsRun {
  /** Environment id. */
  task: string;
  /** Algorithm id ("ppo", "sac"). */
  algo: string;
  /** Training seed. */
  seed: number;
  /** S_frac rows. */
  results: readonly ResultRow[];
  /** S_overlap rows. */
  overlaps: readonly OverlapRow[];
  /** Full spectra (possibly none). */
  spectra: readonly SpectrumSample[];
}

/** Settings the verdicts depend on. */
export interface FindingsOptions {
  /** Headline subspace dimension k. */
  k: number;
  /** Reference step t1 of the overlap finding. */
  t1: number;
}

/** A verdict with the numbers behind it. */
export interface Finding {
  /** Which finding. */
  id: FindingId;
  /** Task. */
  task: string;
  /** Algorithm, when the finding is per algorithm. */
  algo?: string;
  /** Network, when the finding is per network. */
  network?: "actor" | "critic";
  /** The verdict. */
  verdict: Verdict;
  /** The numbers, e.g. "S_frac = 0.62 ± 0.04 vs k/N = 0.030 (21×); 2 seeds". */
  evidence: string;
  /** Seeds behind the numbers. */
  seeds: number;
  /** Machine-readable values (means etc.). */
  values: Record<string, number | null>;
}

/** Statistics of a full spectrum. */
export interface SpectrumStatistics {
  /** Eigenvalue count (or N for SLQ). */
  n: number;
  /** Largest eigenvalues, descending (explicit: up to 10; SLQ: the largest node). */
  top: number[];
  /** λ_max. */
  max: number;
  /** λ_min. */
  min: number;
  /** Median of |λ| (SLQ: of the quadrature measure). */
  bulkMedian: number;
  /** λ_max / median |λ| (Infinity when the median is 0 and λ_max > 0). */
  ratio: number;
  /** Share of negative eigenvalues. */
  negativeShare: number;
}

/**
 * λ_max, the bulk median |λ| and their ratio, from an explicit spectrum or an SLQ estimate.
 *
 * @example
 * ```ts
 * import { spectrumStatistics } from "./findings.ts";
 * spectrumStatistics({ network: "actor", step: 0, eigenvalues: [500, 3, 0.01, -0.02, 0.001] });
 * // { max: 500, bulkMedian: 0.02, ratio: 25000, … }
 * ```
 */
export function spectrumStatistics(s: SpectrumSample): SpectrumStatistics {
  let values: number[], weights: number[];
  if (s.eigenvalues) {
    values = Array.from(s.eigenvalues);
    weights = values.map(() => 1);
  } else if (s.slq) {
    values = [];
    weights = [];
    const probes = s.slq.nodes.length;
    s.slq.nodes.forEach((nodes, p) => {
      for (let i = 0; i < nodes.length; i++) {
        values.push(nodes[i]);
        weights.push(s.slq!.weights[p][i] / probes);
      }
    });
  } else {
    throw new RangeError("spectrumStatistics: the sample has neither eigenvalues nor SLQ nodes");
  }
  if (values.length === 0) throw new RangeError("spectrumStatistics: empty spectrum");
  const order = values.map((_, i) => i).sort((a, b) => Math.abs(values[a]) - Math.abs(values[b]));
  const total = weights.reduce((a, b) => a + b, 0);
  let acc = 0, bulkMedian = Math.abs(values[order[order.length - 1]]);
  for (const i of order) {
    acc += weights[i];
    if (acc >= total / 2) {
      bulkMedian = Math.abs(values[i]);
      break;
    }
  }
  const sorted = [...values].sort((a, b) => b - a);
  const max = sorted[0], min = sorted[sorted.length - 1];
  let negative = 0;
  values.forEach((v, i) => (negative += v < 0 ? weights[i] : 0));
  return {
    n: s.eigenvalues ? values.length : NaN,
    top: s.eigenvalues ? sorted.slice(0, 10) : [max],
    max,
    min,
    bulkMedian,
    ratio: bulkMedian > 0 ? max / bulkMedian : max > 0 ? Infinity : 0,
    negativeShare: negative / total,
  };
}

/**
 * Formats x ± s with 3 significant digits (2 for s), e.g. "0.623 ± 0.041".
 *
 * @example
 * ```ts
 * import { formatMeanStd } from "./findings.ts";
 * formatMeanStd(0.62345, 0.0412); // "0.623 ± 0.041"
 * ```
 */
export function formatMeanStd(mean: number, std: number): string {
  return `${formatNumber(mean)} ± ${formatNumber(std, 2)}`;
}

/**
 * A number with `digits` significant digits, in exponent form outside [1e-3, 1e5).
 *
 * @example
 * ```ts
 * import { formatNumber } from "./findings.ts";
 * formatNumber(0.000123); // "1.23e-4"
 * ```
 */
export function formatNumber(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return x > 0 ? "∞" : x < 0 ? "−∞" : "n/a";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) {
    const [m, e] = x.toExponential(digits - 1).split("e");
    return `${m}e${Number(e)}`;
  }
  return String(Number(x.toPrecision(digits)));
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function groupBy<T>(xs: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    m.set(k, [...(m.get(k) ?? []), x]);
  }
  return m;
}

const NETWORKS = ["actor", "critic"] as const;

/** What a rule returns for one scope: the verdict with its numbers, or why it is not measured. */
type Judgement = Pick<Finding, "verdict" | "evidence" | "seeds" | "values"> | string;

/** Applies a rule to every scope (task, algorithm, network as given) and builds the findings. */
function judgeScopes<G>(
  id: FindingId,
  scopes: { scope: Pick<Finding, "task" | "algo" | "network">; group: G }[],
  judge: (group: G, network: "actor" | "critic" | undefined) => Judgement,
): Finding[] {
  return scopes.map(({ scope, group }) => {
    const j = judge(group, scope.network);
    return typeof j === "string"
      ? { id, ...scope, verdict: "not measured", evidence: j, seeds: 0, values: {} }
      : { id, ...scope, ...j };
  });
}

/** Scopes per task × algorithm (× network when `networks`), each with its seeds' runs. */
function configurationScopes(
  runs: readonly FindingsRun[],
  networks: boolean,
): { scope: Pick<Finding, "task" | "algo" | "network">; group: FindingsRun[] }[] {
  return [...groupBy(runs, (r) => `${r.task}\u0000${r.algo}`).values()].flatMap((group) => {
    const { task, algo } = group[0];
    return networks
      ? NETWORKS.map((network) => ({ scope: { task, algo, network }, group }))
      : [{ scope: { task, algo }, group }];
  });
}

function seedsLabel(n: number): string {
  return `${n} seed${n === 1 ? "" : "s"}`;
}

/**
 * Per seed of `runs`, the mean S_frac of an estimator at (network, k) over the seed's analysed
 * steps, with N; seeds without such rows are left out.
 *
 * @example
 * ```ts
 * import { fractionBySeed } from "./findings.ts";
 * const seeds = fractionBySeed([], "critic", 10, "precise/precise"); // []
 * ```
 */
export function fractionBySeed(
  runs: readonly FindingsRun[],
  network: string,
  k: number,
  estimator: string,
): { seed: number; value: number; n: number }[] {
  return runs.flatMap((r) => {
    const rows = r.results.filter((x) =>
      x.network === network && x.k === k && x.estimator === estimator
    );
    return rows.length
      ? [{ seed: r.seed, value: mean(rows.map((x) => x.value)), n: rows[0].n }]
      : [];
  });
}

/** Mean ± std over seeds of `fractionBySeed`, or null without rows. */
function fractionStats(
  runs: readonly FindingsRun[],
  network: string,
  k: number,
  estimator: string,
) {
  const seeds = fractionBySeed(runs, network, k, estimator);
  if (seeds.length === 0) return null;
  return { ...meanAndStd(seeds.map((s) => s.value)), seeds: seeds.length, n: seeds[0].n };
}

/**
 * Curvature finding (module doc) for each task × algorithm × network.
 *
 * @example
 * ```ts
 * import { curvatureFindings } from "./findings.ts";
 * const [f] = curvatureFindings([{
 *   task: "Pendulum-v1", algo: "ppo", seed: 0, results: [], overlaps: [],
 *   spectra: [{ network: "actor", step: 100, eigenvalues: [400, 1, 0.01, 0.002, -0.003] }],
 * }]);
 * f.verdict; // "holds"
 * ```
 */
export function curvatureFindings(runs: readonly FindingsRun[]): Finding[] {
  return judgeScopes("curvature", configurationScopes(runs, true), (group, network) => {
    const stats = group.flatMap((r) => {
      const mine = r.spectra.filter((s) => s.network === network).sort((a, b) => b.step - a.step);
      return mine.length > 0 ? [spectrumStatistics(mine[0])] : [];
    });
    if (stats.length === 0) return "no full spectrum was computed";
    const logs = stats.map((s) => Math.log10(Math.max(s.ratio, 1e-300))).filter(Number.isFinite);
    const ms = logs.length > 0 ? meanAndStd(logs) : { mean: Infinity, std: 0 };
    const top = meanAndStd(stats.map((s) => s.max));
    const median = meanAndStd(stats.map((s) => s.bulkMedian));
    const threshold = Math.log10(CURVATURE_RATIO_THRESHOLD);
    return {
      verdict: ms.mean >= threshold ? "holds" : "does not hold",
      evidence: `λ_max = ${formatMeanStd(top.mean, top.std)}, median |λ| = ${
        formatMeanStd(median.mean, median.std)
      }, log₁₀ ratio = ${formatMeanStd(ms.mean, ms.std)} (threshold ${threshold}); ${
        seedsLabel(stats.length)
      }`,
      seeds: stats.length,
      values: {
        log10Ratio: ms.mean,
        log10RatioStd: ms.std,
        lambdaMax: top.mean,
        bulkMedian: median.mean,
      },
    };
  });
}

/**
 * Fraction finding (module doc) for each task × algorithm × network.
 *
 * @example
 * ```ts
 * import { fractionFindings } from "./findings.ts";
 * const findings = fractionFindings([], { k: 10, t1: 10_000 }); // [] without runs
 * ```
 */
export function fractionFindings(
  runs: readonly FindingsRun[],
  options: FindingsOptions,
): Finding[] {
  return judgeScopes("fraction", configurationScopes(runs, true), (group, network) => {
    const f = fractionStats(group, network!, options.k, "precise/precise");
    if (!f) return `no precise S_frac rows at k = ${options.k}`;
    const baseline = options.k / f.n;
    return {
      verdict: f.mean >= ABOVE_RANDOM_FACTOR * baseline ? "holds" : "does not hold",
      evidence: `S_frac = ${formatMeanStd(f.mean, f.std)} vs k/N = ${formatNumber(baseline)} (${
        formatNumber(f.mean / baseline, 2)
      }× k/N; k = ${options.k}, N = ${f.n}); ${seedsLabel(f.seeds)}`,
      seeds: f.seeds,
      values: { mean: f.mean, std: f.std, baseline, factor: f.mean / baseline },
    };
  });
}

/**
 * Critic-vs-actor finding (module doc) for each task × algorithm.
 *
 * @example
 * ```ts
 * import { criticActorFindings } from "./findings.ts";
 * criticActorFindings([], { k: 10, t1: 0 }); // []
 * ```
 */
export function criticActorFindings(
  runs: readonly FindingsRun[],
  options: FindingsOptions,
): Finding[] {
  return judgeScopes("critic-vs-actor", configurationScopes(runs, false), (group) => {
    const pairs = group.flatMap((run) => {
      const [c] = fractionBySeed([run], "critic", options.k, "precise/precise");
      const [a] = fractionBySeed([run], "actor", options.k, "precise/precise");
      return c && a ? [{ critic: c.value, actor: a.value }] : [];
    });
    if (pairs.length === 0) {
      return `no seed has precise S_frac rows at k = ${options.k} for both networks`;
    }
    const d = meanAndStd(pairs.map((p) => p.critic - p.actor));
    const c = meanAndStd(pairs.map((p) => p.critic)), a = meanAndStd(pairs.map((p) => p.actor));
    return {
      verdict: d.mean >= 0 ? "holds" : "does not hold",
      evidence: `critic ${formatMeanStd(c.mean, c.std)}, actor ${
        formatMeanStd(a.mean, a.std)
      }; difference ${formatMeanStd(d.mean, d.std)}${
        pairs.length > 1 && Math.abs(d.mean) < d.std ? " (within the seed spread)" : ""
      }; ${seedsLabel(pairs.length)}`,
      seeds: pairs.length,
      values: { difference: d.mean, differenceStd: d.std, critic: c.mean, actor: a.mean },
    };
  });
}

/**
 * SAC-vs-PPO finding (module doc) for each task × network.
 *
 * @example
 * ```ts
 * import { sacPpoFindings } from "./findings.ts";
 * sacPpoFindings([], { k: 10, t1: 0 }); // []
 * ```
 */
export function sacPpoFindings(runs: readonly FindingsRun[], options: FindingsOptions): Finding[] {
  const scopes = [...groupBy(runs, (r) => r.task)].flatMap(([task, group]) =>
    NETWORKS.map((network) => ({ scope: { task, network }, group }))
  );
  return judgeScopes("sac-vs-ppo", scopes, (group, network) => {
    const of = (algo: string) =>
      fractionStats(group.filter((r) => r.algo === algo), network!, options.k, "precise/precise");
    const sac = of("sac"), ppo = of("ppo");
    if (!sac || !ppo) {
      return `needs both algorithms on ${group[0].task}; have ${
        sac ? "SAC" : ppo ? "PPO" : "neither"
      } only`;
    }
    return {
      verdict: sac.mean >= ppo.mean ? "holds" : "does not hold",
      evidence: `SAC ${formatMeanStd(sac.mean, sac.std)} (N = ${sac.n}, ${
        seedsLabel(sac.seeds)
      }), PPO ${formatMeanStd(ppo.mean, ppo.std)} (N = ${ppo.n}, ${seedsLabel(ppo.seeds)})`,
      seeds: sac.seeds + ppo.seeds,
      values: { sac: sac.mean, ppo: ppo.mean, difference: sac.mean - ppo.mean },
    };
  });
}

/**
 * Mini-batch-vs-precise finding (module doc) for each task × algorithm × network.
 *
 * @example
 * ```ts
 * import { miniBatchFindings } from "./findings.ts";
 * miniBatchFindings([], { k: 10, t1: 0 }); // []
 * ```
 */
export function miniBatchFindings(
  runs: readonly FindingsRun[],
  options: FindingsOptions,
): Finding[] {
  return judgeScopes("minibatch-vs-precise", configurationScopes(runs, true), (group, network) => {
    const stat = (estimator: string) => fractionStats(group, network!, options.k, estimator);
    const precise = stat("precise/precise");
    const mbGradient = stat("minibatch/precise"), mbBoth = stat("minibatch/minibatch");
    if (!precise || (!mbGradient && !mbBoth)) {
      return `needs precise and mini-batch S_frac rows at k = ${options.k}`;
    }
    const below = [mbGradient, mbBoth].every((m) => m === null || m.mean <= precise.mean);
    const part = (label: string, m: { mean: number; std: number } | null) =>
      m ? `${label} ${formatMeanStd(m.mean, m.std)}` : `${label} not computed`;
    return {
      verdict: below ? "holds" : "does not hold",
      evidence: `${part("precise", precise)}; ${part("mini-batch gradient", mbGradient)}; ${
        part("mini-batch gradient and Hessian", mbBoth)
      }; ${seedsLabel(precise.seeds)}`,
      seeds: precise.seeds,
      values: {
        precise: precise.mean,
        miniBatchGradient: mbGradient?.mean ?? null,
        miniBatchBoth: mbBoth?.mean ?? null,
      },
    };
  });
}

/**
 * Overlap finding (module doc) for each task × algorithm × network.
 *
 * @example
 * ```ts
 * import { overlapFindings } from "./findings.ts";
 * overlapFindings([], { k: 10, t1: 10_000 }); // []
 * ```
 */
export function overlapFindings(
  runs: readonly FindingsRun[],
  options: FindingsOptions,
): Finding[] {
  return judgeScopes("overlap", configurationScopes(runs, true), (group, network) => {
    const rows = group.flatMap((r) =>
      r.overlaps.filter((o) =>
        o.network === network && o.k === options.k && o.t1 === options.t1 && o.t2 > options.t1
      )
    );
    const n = group.flatMap((r) => r.results.filter((x) => x.network === network))[0]?.n;
    if (rows.length === 0 || n === undefined) {
      return `no S_overlap rows with t1 = ${options.t1} and k = ${options.k}`;
    }
    const byT2 = [...groupBy(rows, (o) => String(o.t2))]
      .map(([t2, xs]) => ({ t2: Number(t2), ...meanAndStd(xs.map((x) => x.value)) }))
      .sort((a, b) => a.t2 - b.t2);
    const worst = byT2.reduce((a, b) => (b.mean < a.mean ? b : a));
    const last = byT2[byT2.length - 1];
    const baseline = options.k / n;
    const seeds = new Set(rows.map((o) => o.seed)).size;
    const at = (t: number) => t.toLocaleString("en-US");
    return {
      verdict: worst.mean >= ABOVE_RANDOM_FACTOR * baseline ? "holds" : "does not hold",
      evidence:
        `lowest S_overlap(${at(options.t1)}, t2) = ${formatMeanStd(worst.mean, worst.std)} ` +
        `at t2 = ${at(worst.t2)}, last ${formatMeanStd(last.mean, last.std)} at t2 = ${
          at(last.t2)
        }; k/N = ${formatNumber(baseline)} (${formatNumber(worst.mean / baseline, 2)}×); ${
          seedsLabel(seeds)
        }`,
      seeds,
      values: { lowest: worst.mean, last: last.mean, baseline, factor: worst.mean / baseline },
    };
  });
}

/**
 * Every finding (module doc), in the paper's order.
 *
 * @example
 * ```ts
 * import { evaluateFindings } from "./findings.ts";
 * const findings = evaluateFindings([], { k: 10, t1: 10_000 });
 * ```
 */
export function evaluateFindings(
  runs: readonly FindingsRun[],
  options: FindingsOptions,
): Finding[] {
  return [
    ...curvatureFindings(runs),
    ...fractionFindings(runs, options),
    ...criticActorFindings(runs, options),
    ...sacPpoFindings(runs, options),
    ...miniBatchFindings(runs, options),
    ...overlapFindings(runs, options),
  ];
}

/**
 * Where a finding applies, e.g. "PPO · Pendulum-v1 · critic".
 *
 * @example
 * ```ts
 * import { findingScope } from "./findings.ts";
 * findingScope({ task: "Pendulum-v1", algo: "sac", network: "actor" }); // "SAC · Pendulum-v1 · actor"
 * ```
 */
export function findingScope(f: Pick<Finding, "task" | "algo" | "network">): string {
  return [f.algo?.toUpperCase(), f.task, f.network].filter((x) => x).join(" · ");
}

/**
 * The verdicts as a Markdown table (finding, where, verdict, numbers), optionally only some
 * findings.
 *
 * @example
 * ```ts
 * import { evaluateFindings, findingsTable } from "./findings.ts";
 * const md = findingsTable(evaluateFindings([], { k: 10, t1: 0 }));
 * ```
 */
export function findingsTable(findings: readonly Finding[], ids?: readonly FindingId[]): string {
  const rows = findings.filter((f) => !ids || ids.includes(f.id));
  const mark = (v: Verdict) =>
    v === "holds" ? "**holds**" : v === "does not hold" ? "**does not hold**" : "not measured";
  const lines = [
    "| finding | where | verdict | numbers (mean ± std over seeds) |",
    "|---|---|---|---|",
    ...rows.map((f, i) =>
      `| ${i > 0 && rows[i - 1].id === f.id ? "" : FINDING_RULES[f.id].claim} | ${
        findingScope(f)
      } | ${mark(f.verdict)} | ${f.evidence.replaceAll("|", "\\|")} |`
    ),
  ];
  return lines.join("\n");
}

/**
 * One computed sentence per finding id: how many scopes hold, and which do not (for notebook
 * conclusions).
 *
 * @example
 * ```ts
 * import { findingSummary } from "./findings.ts";
 * findingSummary([], "fraction"); // "…: not measured."
 * ```
 */
export function findingSummary(findings: readonly Finding[], id: FindingId): string {
  const mine = findings.filter((f) => f.id === id);
  const measured = mine.filter((f) => f.verdict !== "not measured");
  const claim = `**${FINDING_RULES[id].claim}**`;
  if (measured.length === 0) return `${claim}: not measured in these data.`;
  const holds = measured.filter((f) => f.verdict === "holds");
  const fails = measured.filter((f) => f.verdict === "does not hold");
  const scopes = (fs: Finding[]) => fs.map(findingScope).join("; ");
  const cases = (n: number) => `${n} measured case${n === 1 ? "" : "s"}`;
  if (fails.length === 0) {
    return `${claim}: holds in all ${cases(measured.length)} (${scopes(holds)}).`;
  }
  if (holds.length === 0) {
    return `${claim}: does not hold in these data (${scopes(fails)}).`;
  }
  return `${claim}: holds in ${holds.length} of ${cases(measured.length)}; it does not hold for ${
    scopes(fails)
  }.`;
}
