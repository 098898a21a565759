/**
 * Symmetric-log ("symlog") scale for Hessian spectra, which span negative values, a bulk near
 * zero and a few large positive outliers (paper Fig. 1). Plotly has no symlog axis, so figures
 * plot the transformed coordinate u and label the ticks with the original values.
 *
 *   u = symlog(x) = sign(x) · log10(1 + |x|/c),   x = sign(u) · c · (10^|u| − 1),
 *
 * with the linear threshold ("linthresh") c: for |x| ≪ c the map is ≈ linear (u ≈ x/(c·ln 10)),
 * for |x| ≫ c it is ≈ sign(x)·(log10|x| − log10 c), so one unit of u is one decade. The default
 * c = 10⁻² is the paper's linthresh ({@link DEFAULT_LINTHRESH}).
 *
 * Histogram bins are uniform in u and symmetric about 0 ({@link symlogBinEdges}).
 *
 * @module
 */

/**
 * The paper's symlog linear threshold c = 10⁻² (x-axis of Fig. 1).
 *
 * @example
 * ```ts
 * import { DEFAULT_LINTHRESH } from "./symlog.ts";
 * DEFAULT_LINTHRESH; // 0.01
 * ```
 */
export const DEFAULT_LINTHRESH = 1e-2;

function checkLinthresh(who: string, c: number): void {
  if (!(c > 0) || !Number.isFinite(c)) {
    throw new RangeError(`${who}: linthresh must be a positive finite number, got ${c}`);
  }
}

/**
 * u = sign(x) · log10(1 + |x|/c) (module doc).
 *
 * @example
 * ```ts
 * import { symlog } from "./symlog.ts";
 * symlog(0.09, 0.01); // 1
 * symlog(-0.99, 0.01); // -2
 * ```
 */
export function symlog(x: number, linthresh = DEFAULT_LINTHRESH): number {
  checkLinthresh("symlog", linthresh);
  return (Math.sign(x) * Math.log1p(Math.abs(x) / linthresh)) / Math.LN10; // exact near 0
}

/**
 * Inverse of {@link symlog}: x = sign(u) · c · (10^|u| − 1).
 *
 * @example
 * ```ts
 * import { inverseSymlog } from "./symlog.ts";
 * inverseSymlog(2, 0.01); // 0.99
 * ```
 */
export function inverseSymlog(u: number, linthresh = DEFAULT_LINTHRESH): number {
  checkLinthresh("inverseSymlog", linthresh);
  return Math.sign(u) * linthresh * Math.expm1(Math.abs(u) * Math.LN10);
}

/** Options of {@link symlogBinEdges}. */
export interface SymlogBinOptions {
  /** Linear threshold c of the symlog transform (default {@link DEFAULT_LINTHRESH}). */
  linthresh?: number;
  /** Bins per unit of u, i.e. per decade for |x| ≫ c (default 4). */
  binsPerDecade?: number;
}

/**
 * Histogram bin edges uniform in u = symlog(x) and symmetric about 0 (module doc).
 *
 * With U = max_i |symlog(x_i)| and n = max(1, ⌈U · binsPerDecade⌉), the edges are
 * x_j = inverseSymlog(j·U/n) for j = −n … n: 2n bins, 0 is an edge, edge −j is exactly −(edge j),
 * and the outer edges are exactly ±max|x_i|, so every value lies in [edges[0], edges[2n]].
 * All-zero data get U = symlog(c) (edges ±c).
 *
 * @throws RangeError for no values or a non-finite value.
 *
 * @example
 * ```ts
 * import { symlogBinEdges } from "./symlog.ts";
 * const edges = symlogBinEdges([-0.5, 0, 3, 120], { binsPerDecade: 2 });
 * edges[0]; // -120
 * edges.at(-1); // 120
 * ```
 */
export function symlogBinEdges(
  values: ArrayLike<number>,
  options: SymlogBinOptions = {},
): number[] {
  const c = options.linthresh ?? DEFAULT_LINTHRESH;
  const binsPerDecade = options.binsPerDecade ?? 4;
  checkLinthresh("symlogBinEdges", c);
  if (!(binsPerDecade > 0) || !Number.isFinite(binsPerDecade)) {
    throw new RangeError(`symlogBinEdges: binsPerDecade must be positive, got ${binsPerDecade}`);
  }
  if (values.length === 0) throw new RangeError("symlogBinEdges: no values given");
  let maxAbs = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!Number.isFinite(x)) {
      throw new RangeError(`symlogBinEdges: value ${i} is ${x}; eigenvalues must be finite`);
    }
    maxAbs = Math.max(maxAbs, Math.abs(x));
  }
  if (maxAbs === 0) maxAbs = c;
  const U = symlog(maxAbs, c);
  const n = Math.max(1, Math.ceil(U * binsPerDecade - 1e-9));
  const positive: number[] = [];
  for (let j = 1; j < n; j++) positive.push(inverseSymlog((j * U) / n, c));
  positive.push(maxAbs);
  return [...positive.map((x) => -x).reverse(), 0, ...positive];
}

/**
 * Histogram counts for increasing edges e₀ < … < e_m: bin j holds e_j ≤ x < e_{j+1}, the last bin
 * also holds x = e_m. Values outside [e₀, e_m] are an error (so the counts always sum to N).
 *
 * @example
 * ```ts
 * import { histogramCounts } from "./symlog.ts";
 * histogramCounts([0, 0.5, 1, 2], [0, 1, 2]); // [2, 2]
 * ```
 */
export function histogramCounts(values: ArrayLike<number>, edges: ArrayLike<number>): number[] {
  const m = edges.length - 1;
  if (m < 1) throw new RangeError("histogramCounts: need at least 2 edges");
  for (let j = 1; j <= m; j++) {
    if (!(edges[j] > edges[j - 1])) {
      throw new RangeError("histogramCounts: edges must be strictly increasing");
    }
  }
  const counts = new Array<number>(m).fill(0);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!(x >= edges[0] && x <= edges[m])) {
      throw new RangeError(
        `histogramCounts: value ${x} lies outside the edges [${edges[0]}, ${edges[m]}]`,
      );
    }
    let lo = 0, hi = m; // invariant: edges[lo] ≤ x, and x < edges[hi] or hi = m
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (edges[mid] <= x) lo = mid;
      else hi = mid;
    }
    counts[lo]++;
  }
  return counts;
}

/**
 * Tick positions (in u) and labels for a symlog axis covering |u| ≤ maxU: 0, and ±10^p for the
 * powers of ten 10^p ≥ 10·c whose u lies within the range (±c itself sits too close to 0 to label).
 * When more than `maxPerSide` powers qualify, only every second (third, …) one is kept, always
 * including the largest.
 *
 * @example
 * ```ts
 * import { symlogTicks } from "./symlog.ts";
 * const t = symlogTicks(3.1, 0.01); // ticks at 0, ±0.1, ±1, ±10
 * t.ticktext.includes("10<sup>1</sup>"); // true
 * ```
 */
export function symlogTicks(
  maxU: number,
  linthresh = DEFAULT_LINTHRESH,
  maxPerSide = 6,
): { tickvals: number[]; ticktext: string[] } {
  const powers: number[] = [];
  for (let p = Math.ceil(Math.log10(linthresh) - 1e-9) + 1; p < 400; p++) {
    if (symlog(10 ** p, linthresh) > maxU * (1 + 1e-9)) break;
    powers.push(p);
  }
  const stride = Math.max(1, Math.ceil(powers.length / Math.max(1, maxPerSide)));
  const kept = powers.filter((_, i) => (powers.length - 1 - i) % stride === 0);
  const pairs: [number, string][] = [[0, "0"]];
  for (const p of kept) {
    const u = symlog(10 ** p, linthresh);
    const label = p === 0 ? "1" : `10<sup>${p}</sup>`;
    pairs.push([u, label], [-u, `−${label}`]);
  }
  pairs.sort((a, b) => a[0] - b[0]);
  return { tickvals: pairs.map((p) => p[0]), ticktext: pairs.map((p) => p[1]) };
}
