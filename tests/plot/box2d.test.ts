import { assert, assertEquals, assertThrows } from "@std/assert";
import { box2dEpisodeFigure } from "../../lib/plot/mod.ts";
import { figureProblems } from "../../lib/plot/validate.ts";
import type { Box2DFrame } from "../../lib/envs/box2d/scene.ts";
import { type Recording, replayEnv } from "../../lib/envs/box2d/recording.ts";
import type { BipedalWalkerEnv, LunarLanderEnv } from "../../lib/envs/box2d/mod.ts";

const load = (id: string) =>
  JSON.parse(
    Deno.readTextFileSync(new URL(`../../../shared/oracles/box2d/${id}.json`, import.meta.url)),
  ) as Recording;

/** The frames of a recorded episode replayed in our env (reset, then every step). */
function episodeFrames(recording: Recording, heuristic: boolean, seed: number): Box2DFrame[] {
  const episode = (heuristic ? recording.heuristic_episodes : recording.episodes)[seed];
  const env = replayEnv(recording, episode) as LunarLanderEnv | BipedalWalkerEnv;
  env.reset({ seed: episode.seed });
  const frames = [env.frame()];
  for (const step of episode.steps) {
    const r = env.step(step.action);
    frames.push(env.frame());
    if (r.terminated) break;
  }
  return frames;
}

Deno.test("box2dEpisodeFigure draws a LunarLander landing where Gymnasium's lander landed", () => {
  const recording = load("LunarLanderContinuous-v3");
  const frames = episodeFrames(recording, true, 0);
  const figure = box2dEpisodeFigure(frames, { title: "landing", outlines: 5 });
  assertEquals(figureProblems(figure), []);
  const byName = (name: string) => figure.data.find((t) => t.name === name)!;
  assertEquals(byName("moon").x, frames[0].terrain.x);
  assertEquals(byName("helipad").x, [8, 8, null, 12, 12]);
  // The path ends where Gymnasium's last observation puts the lander, to the drift after 200
  // steps: x = 10 + 10·s0, y = helipad + 18/30 + (20/3)·s1.
  const path = byName("lander path");
  const obs = recording.heuristic_episodes[0].steps.at(-1)!.obs;
  assert(Math.abs((path.x!.at(-1) as number) - (10 + 10 * obs[0])) < 1e-3);
  assert(Math.abs((path.y!.at(-1) as number) - (10 / 3 + 18 / 30 + (20 / 3) * obs[1])) < 1e-3);
  assertEquals(path.x!.length, frames.length);
  // Five faded outlines, the final pose, and both legs in contact after landing.
  assertEquals(figure.data.filter((t) => t.showlegend === false).length, 5);
  const contact = byName("ground contact");
  assertEquals(contact.x!.filter((v) => v === null).length, 1); // two leg outlines
  const final = byName(`step ${frames.length - 1}`);
  // Closed polygons: the lander's 6 vertices + closing vertex, then each leg's 4 + 1.
  assertEquals(final.x!.length, 7 + 1 + 5 + 1 + 5);
  assertEquals((figure.layout.yaxis as { scaleanchor: string }).scaleanchor, "x");
});

Deno.test("box2dEpisodeFigure draws the hardcore walker's obstacles and last lidar rays", () => {
  const recording = load("BipedalWalkerHardcore-v3");
  const frames = episodeFrames(recording, true, 2);
  const figure = box2dEpisodeFigure(frames);
  assertEquals(figureProblems(figure), []);
  const obstacles = figure.data.find((t) => t.name === "obstacles")!;
  assertEquals(
    obstacles.x!.filter((v) => v === null).length,
    frames[0].obstacles.length - 1,
  );
  const lidar = figure.data.find((t) => t.name === "lidar")!;
  const last = frames.at(-1)!.lidar!;
  assertEquals(lidar.x!.length, 3 * last.length);
  last.forEach((ray, k) => {
    // Each ray runs from the hull for `fraction` of its 160/30 range.
    const len = Math.hypot(
      (lidar.x![3 * k + 1] as number) - ray.x1,
      (lidar.y![3 * k + 1] as number) - ray.y1,
    );
    assert(Math.abs(len - ray.fraction * (160 / 30)) < 1e-5);
  });
  assertEquals(figure.data.filter((t) => t.showlegend === false).length, 12);
});

Deno.test("box2dEpisodeFigure rejects empty or mixed episodes with a hint", () => {
  assertThrows(() => box2dEpisodeFigure([]), RangeError, "env.frame()");
  const lander = episodeFrames(load("LunarLanderContinuous-v3"), false, 0).slice(0, 2);
  const walker = episodeFrames(load("BipedalWalker-v3"), false, 1).slice(0, 2);
  assertThrows(() => box2dEpisodeFigure([...lander, ...walker]), RangeError, "different tasks");
  assertThrows(() => box2dEpisodeFigure(lander, { outlines: -1 }), RangeError, "outlines");
});
