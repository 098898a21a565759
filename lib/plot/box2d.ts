/**
 * {@linkcode box2dEpisodeFigure}: one episode of a Box2D task (LunarLander or BipedalWalker) drawn
 * from the scene frames its env returns after each step (`env.frame()`): the terrain and
 * obstacles, the path of the main body, outlines of every body at evenly spaced moments (older
 * ones fainter), the final pose in full colour with the legs in ground contact marked, and for
 * the walker the lidar rays of the last step.
 *
 * @module
 */
import type { Box2DFrame } from "../envs/box2d/scene.ts";
import { baseLayout } from "./layout.ts";
import { REFERENCE_COLOR, SEQUENTIAL_COLORS, withAlpha } from "./palette.ts";
import type { PlotlyFigure, PlotlyTrace } from "./types.ts";

/**
 * Options of {@linkcode box2dEpisodeFigure}.
 *
 * @example
 * ```ts
 * import type { Box2DEpisodeFigureOptions } from "./box2d.ts";
 * const opts: Box2DEpisodeFigureOptions = { title: "seed 0", outlines: 8 };
 * ```
 */
export interface Box2DEpisodeFigureOptions {
  /** Figure title. */
  title?: string;
  /** How many intermediate poses to outline, evenly spaced (default 12; 0 for none). */
  outlines?: number;
}

const BODY_COLOR = SEQUENTIAL_COLORS[0];
const CONTACT_COLOR = SEQUENTIAL_COLORS[3];
const GROUND_COLOR = "#6B6B6B";
const LIDAR_COLOR = "#D62728";

/** Closed polygons as one x/y pair of arrays, separated by null gaps. */
function polygonsXY(
  polygons: [number, number][][],
): { x: (number | null)[]; y: (number | null)[] } {
  const x: (number | null)[] = [];
  const y: (number | null)[] = [];
  for (const poly of polygons) {
    if (x.length > 0) {
      x.push(null);
      y.push(null);
    }
    for (const [px, py] of poly) {
      x.push(px);
      y.push(py);
    }
    x.push(poly[0][0]);
    y.push(poly[0][1]);
  }
  return { x, y };
}

/**
 * A Plotly figure of one Box2D episode from its frames (one per `reset`/`step`, in order).
 * World units on both axes, equal aspect.
 *
 * @example
 * ```ts
 * import { box2dEpisodeFigure } from "./box2d.ts";
 * import { BipedalWalkerEnv } from "../envs/box2d/mod.ts";
 * const env = new BipedalWalkerEnv();
 * env.reset({ seed: 0 });
 * const frames = [env.frame()];
 * for (let t = 0; t < 100; t++) {
 *   env.step([Math.sin(t / 5), -1, Math.cos(t / 5), -1]);
 *   frames.push(env.frame());
 * }
 * const figure = box2dEpisodeFigure(frames, { title: "BipedalWalker-v3, seed 0" });
 * ```
 */
export function box2dEpisodeFigure(
  frames: readonly Box2DFrame[],
  options: Box2DEpisodeFigureOptions = {},
): PlotlyFigure {
  if (frames.length === 0) {
    throw new RangeError("box2dEpisodeFigure: no frames; pass env.frame() after reset and steps");
  }
  const task = frames[0].task;
  if (frames.some((f) => f.task !== task)) {
    throw new RangeError("box2dEpisodeFigure: the frames come from different tasks");
  }
  const outlines = options.outlines ?? 12;
  if (!Number.isSafeInteger(outlines) || outlines < 0) {
    throw new RangeError(`box2dEpisodeFigure: outlines must be a non-negative integer`);
  }
  const first = frames[0];
  const last = frames[frames.length - 1];
  const data: PlotlyTrace[] = [];

  // Ground: the terrain polyline filled down to y = 0, and the obstacles.
  data.push({
    type: "scatter",
    mode: "lines",
    name: task === "LunarLander" ? "moon" : "terrain",
    x: first.terrain.x,
    y: first.terrain.y,
    fill: "tozeroy",
    line: { color: GROUND_COLOR, width: 1.5 },
    fillcolor: withAlpha(GROUND_COLOR, 0.25),
    hoverinfo: "skip",
  });
  if (first.obstacles.length > 0) {
    data.push({
      type: "scatter",
      mode: "lines",
      name: "obstacles",
      ...polygonsXY(first.obstacles),
      fill: "toself",
      line: { color: GROUND_COLOR, width: 1 },
      fillcolor: withAlpha(GROUND_COLOR, 0.5),
      hoverinfo: "skip",
    });
  }
  if (first.helipad) {
    const { x1, x2, y } = first.helipad;
    data.push({
      type: "scatter",
      mode: "lines",
      name: "helipad",
      x: [x1, x1, null, x2, x2],
      y: [y, y + 50 / 30, null, y, y + 50 / 30],
      line: { color: "#BCBD22", width: 2 },
    });
  }

  // Path of the main body (lander or hull) over the episode.
  data.push({
    type: "scatter",
    mode: "lines",
    name: `${first.bodies[0].name} path`,
    x: frames.map((f) => f.bodies[0].x),
    y: frames.map((f) => f.bodies[0].y),
    line: { color: REFERENCE_COLOR, width: 1, dash: "dot" },
  });

  // Outlines at evenly spaced moments, fading in with time.
  const n = frames.length;
  for (let k = 0; k < outlines && n > 1; k++) {
    const i = Math.round((k * (n - 1)) / Math.max(1, outlines));
    const frame = frames[i];
    data.push({
      type: "scatter",
      mode: "lines",
      name: `step ${i}`,
      showlegend: false,
      ...polygonsXY(frame.bodies.map((b) => b.polygon)),
      line: { color: withAlpha(BODY_COLOR, 0.15 + (0.5 * k) / Math.max(1, outlines)), width: 1 },
      hoverinfo: "name",
    });
  }

  // The final pose, filled, and its bodies in ground contact.
  data.push({
    type: "scatter",
    mode: "lines",
    name: `step ${n - 1}`,
    ...polygonsXY(last.bodies.map((b) => b.polygon)),
    fill: "toself",
    fillcolor: withAlpha(BODY_COLOR, 0.5),
    line: { color: BODY_COLOR, width: 1.5 },
  });
  const touching = last.bodies.filter((b) => last.contacts[b.name] === true);
  if (touching.length > 0) {
    data.push({
      type: "scatter",
      mode: "lines",
      name: "ground contact",
      ...polygonsXY(touching.map((b) => b.polygon)),
      line: { color: CONTACT_COLOR, width: 3 },
    });
  }
  if (last.lidar && last.lidar.length > 0) {
    const x: (number | null)[] = [];
    const y: (number | null)[] = [];
    for (const ray of last.lidar) {
      x.push(ray.x1, ray.x1 + ray.fraction * (ray.x2 - ray.x1), null);
      y.push(ray.y1, ray.y1 + ray.fraction * (ray.y2 - ray.y1), null);
    }
    data.push({
      type: "scatter",
      mode: "lines",
      name: "lidar",
      x,
      y,
      line: { color: withAlpha(LIDAR_COLOR, 0.6), width: 1 },
    });
  }

  const layout = baseLayout(options.title);
  layout.xaxis = { title: { text: "x (world units)" }, showline: true, zeroline: false };
  layout.yaxis = {
    title: { text: "y (world units)" },
    showline: true,
    zeroline: false,
    scaleanchor: "x",
    scaleratio: 1,
  };
  if (task === "LunarLander") {
    layout.xaxis = { ...layout.xaxis as object, range: [0, 20] };
    layout.yaxis = { ...layout.yaxis as object, range: [0, 400 / 30] };
  } else {
    const xs = frames.map((f) => f.bodies[0].x);
    const lo = Math.max(0, Math.min(...xs) - 3);
    const hi = Math.max(...xs) + 6;
    layout.xaxis = { ...layout.xaxis as object, range: [lo, hi] };
  }
  return { data, layout };
}
