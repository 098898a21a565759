/** SAC's config schema: SB3 defaults, value forms and what it rejects. */
import { assertEquals, assertThrows } from "@std/assert";
import {
  gradientStepsPerPhase,
  makeSacConfig,
  SAC_SCHEMA,
} from "../../../lib/agents/sac/config.ts";

Deno.test("defaults are SB3's SAC defaults with its MlpPolicy", () => {
  const c = SAC_SCHEMA.defaults;
  assertEquals(
    [c.learningRate, c.bufferSize, c.learningStarts, c.batchSize, c.tau, c.gamma, c.trainFreq],
    [3e-4, 1_000_000, 100, 256, 0.005, 0.99, 1],
  );
  assertEquals([c.entCoef, c.targetEntropy, c.netArch, c.activation, c.adamEps], [
    "auto",
    "auto",
    [256, 256],
    "relu",
    1e-8,
  ]);
});

Deno.test("value forms: auto_<α>, [n, 'step'], net_arch dicts, gradient_steps −1", () => {
  assertEquals(makeSacConfig({ ent_coef: "auto_0.2" }).entCoefInit, 0.2);
  assertEquals(makeSacConfig({ train_freq: [4, "step"] }).trainFreq, 4);
  assertEquals(
    makeSacConfig({ policy_kwargs: { net_arch: { pi: [64], qf: [400, 300] } } }).netArch,
    { pi: [64], qf: [400, 300] },
  );
  assertEquals(gradientStepsPerPhase(makeSacConfig({ train_freq: 16, gradient_steps: -1 })), 16);
  assertEquals(gradientStepsPerPhase(makeSacConfig({ gradient_steps: 3 })), 3);
});

Deno.test("gSDE settings: SB3 names and policy kwargs, SB3's SAC defaults", () => {
  const c = makeSacConfig({
    use_sde: true,
    sde_sample_freq: 4,
    use_sde_at_warmup: true,
    policy_kwargs: { log_std_init: -2, full_std: false, use_expln: true, clip_mean: 1.5 },
  });
  assertEquals(
    [c.useSde, c.sdeSampleFreq, c.useSdeAtWarmup, c.logStdInit, c.fullStd, c.useExpln, c.clipMean],
    [true, 4, true, -2, false, true, 1.5],
  );
  const d = makeSacConfig({});
  assertEquals(
    [d.useSde, d.sdeSampleFreq, d.useSdeAtWarmup, d.logStdInit, d.fullStd, d.useExpln, d.clipMean],
    [false, -1, false, -3, true, false, 2],
  );
  assertThrows(() => makeSacConfig({ sde_sample_freq: -2 }), RangeError, "sdeSampleFreq = -2");
});

Deno.test("rejected: episode train_freq, n_critics, shared extractors, n_envs, other activations", () => {
  assertThrows(() => makeSacConfig({ train_freq: [1, "episode"] }), Error, "count steps");
  assertThrows(() => makeSacConfig({ n_critics: 3 }), Error, "two Q-networks");
  assertThrows(() => makeSacConfig({ share_features_extractor: true }), Error, "never share");
  assertThrows(() => makeSacConfig({ n_envs: 2 }), Error, "one environment");
  assertThrows(() => makeSacConfig({ activation_fn: "tanh" }), RangeError, "activation");
  assertThrows(() => makeSacConfig({ ent_coef: "max" }), Error, "auto_<initial α>");
  assertEquals(makeSacConfig({ n_envs: 1, use_sde: false }).batchSize, 256);
});
