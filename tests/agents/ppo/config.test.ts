import { assert, assertEquals, assertThrows } from "@std/assert";
import { makePpoConfig, PPO_SCHEMA, scheduleValue } from "../../../lib/agents/ppo/config.ts";

const PPO_DEFAULTS = PPO_SCHEMA.defaults;
const fromSb3Names = PPO_SCHEMA.fromSb3;
const validatePpoConfig = PPO_SCHEMA.validate;

Deno.test("defaults are SB3 1.8.0's PPO defaults", () => {
  // SB3 1.8.0 PPO.__init__ signature and ActorCriticPolicy defaults.
  const c = makePpoConfig();
  assertEquals(c.learningRate, 3e-4);
  assertEquals(c.nSteps, 2048);
  assertEquals(c.batchSize, 64);
  assertEquals(c.nEpochs, 10);
  assertEquals(c.gamma, 0.99);
  assertEquals(c.gaeLambda, 0.95);
  assertEquals(c.clipRange, 0.2);
  assertEquals(c.clipRangeVf, null);
  assertEquals(c.entCoef, 0);
  assertEquals(c.vfCoef, 0.5);
  assertEquals(c.maxGradNorm, 0.5);
  assertEquals(c.normalizeAdvantage, true);
  assertEquals(c.targetKl, null);
  assertEquals(c.netArch, [64, 64]);
  assertEquals(c.activation, "tanh");
  assertEquals(c.orthoInit, true);
  assertEquals(c.logStdInit, 0);
  assertEquals(c.normalize, false);
  assertEquals(c.adamEps, 1e-5);
  assertEquals(c.learningRateSchedule, "constant");
});

Deno.test("SB3 / rl-zoo snake_case names map to camelCase fields", () => {
  const c = makePpoConfig({
    learning_rate: "lin_2.5e-4",
    n_steps: 512,
    batch_size: 32,
    clip_range: "lin_0.1",
    ent_coef: 0.01,
    policy_kwargs: {
      net_arch: { pi: [256, 256], vf: [128] },
      activation_fn: "nn.ReLU",
      ortho_init: false,
      log_std_init: -2,
      optimizer_kwargs: { eps: 1e-8 },
    },
  });
  assertEquals(c.learningRate, 2.5e-4);
  assertEquals(c.learningRateSchedule, "linear");
  assertEquals(c.clipRange, 0.1);
  assertEquals(c.clipRangeSchedule, "linear");
  assertEquals(c.nSteps, 512);
  assertEquals(c.batchSize, 32);
  assertEquals(c.entCoef, 0.01);
  assertEquals(c.netArch, { pi: [256, 256], vf: [128] });
  assertEquals(c.activation, "relu");
  assertEquals(c.orthoInit, false);
  assertEquals(c.logStdInit, -2);
  assertEquals(c.adamEps, 1e-8);
  // camelCase passes through.
  assertEquals(fromSb3Names({ gaeLambda: 0.9 }), { gaeLambda: 0.9 });
});

Deno.test("the same field set twice (snake and camel) is an error", () => {
  assertThrows(() => fromSb3Names({ n_steps: 8, nSteps: 16 }), Error, "nSteps");
});

Deno.test("gSDE options: SB3 names, policy_kwargs, defaults and checks", () => {
  const d = makePpoConfig();
  assertEquals([d.useSde, d.sdeSampleFreq, d.fullStd, d.useExpln], [false, -1, true, false]);
  const c = makePpoConfig({
    use_sde: true,
    sde_sample_freq: 8,
    policy_kwargs: { full_std: false, use_expln: true, log_std_init: -1 },
  });
  assertEquals([c.useSde, c.sdeSampleFreq, c.fullStd, c.useExpln, c.logStdInit], [
    true,
    8,
    false,
    true,
    -1,
  ]);
  assertThrows(() => makePpoConfig({ sde_sample_freq: -2 }), Error, "sdeSampleFreq");
  assertThrows(() => makePpoConfig({ use_sde: "yes" }), Error, "useSde");
});

Deno.test("invalid values: the message names the field, the value and the valid range", () => {
  const cases: [Record<string, unknown>, string[]][] = [
    [{ learningRate: -1e-3 }, ["learningRate", "-0.001", "(0, Infinity)"]],
    [{ gamma: 1.5 }, ["gamma", "1.5", "(0, 1]"]],
    [{ gamma: 0 }, ["gamma", "0", "(0, 1]"]],
    [{ gae_lambda: -0.1 }, ["gaeLambda", "-0.1", "[0, 1]"]],
    [{ batch_size: 4096 }, ["batchSize", "4096", "nSteps = 2048"]],
    [{ nEpochs: 0 }, ["nEpochs", "0", "≥ 1"]],
    [{ nSteps: 10.5, batchSize: 2 }, ["nSteps", "10.5", "integer"]],
    [{ clipRange: 0 }, ["clipRange", "0"]],
    [{ activation: "gelu" }, ["activation", "gelu", "tanh"]],
    [{ netArch: [64, -1] }, ["netArch", "[64,-1]"]],
    [{ maxGradNorm: Number.NaN }, ["maxGradNorm", "NaN"]],
    [{ batchSize: 1 }, ["batchSize", "1", "normalizeAdvantage"]],
    [{ learning_rate: "lin_x" }, ["learning_rate", "lin_x"]],
  ];
  for (const [override, parts] of cases) {
    const err = assertThrows(() => makePpoConfig(override));
    for (const p of parts) {
      assert(
        (err as Error).message.includes(p),
        `message for ${JSON.stringify(override)} lacks "${p}": ${(err as Error).message}`,
      );
    }
  }
});

Deno.test("unknown and missing fields are rejected", () => {
  const err = assertThrows(() => makePpoConfig({ n_stepz: 10 })) as Error;
  assert(err.message.includes('"n_stepz"'), err.message);
  const { gamma: _, ...incomplete } = PPO_DEFAULTS;
  assertThrows(() => validatePpoConfig(incomplete), Error, "missing field(s) gamma");
  assertThrows(() => validatePpoConfig(null), TypeError);
});

Deno.test("validated configs are copies (netArch not shared)", () => {
  const arch = [32];
  const c = makePpoConfig({ netArch: arch });
  arch.push(5);
  assertEquals(c.netArch, [32]);
});

Deno.test("schedules follow SB3: value × progress_remaining for linear", () => {
  assertEquals(scheduleValue("constant", 3e-4, 0.25), 3e-4);
  assertEquals(scheduleValue("linear", 2e-4, 0.25), 5e-5);
});
