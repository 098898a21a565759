/**
 * The config schema shared by PPO and SAC: SB3 names (top level and policy_kwargs), value forms,
 * validation messages, rejected options, schedules and `--set` parsing.
 */
import { assertEquals, assertThrows } from "@std/assert";
import {
  activationName,
  defineConfig,
  integerFrom,
  literalOr,
  netArch,
  nullOr,
  numberIn,
  oneOf,
  parseOverride,
  type Schedule,
  scheduleValue,
} from "../../../lib/agents/common/config_schema.ts";
import { PPO_SCHEMA } from "../../../lib/agents/ppo/config.ts";
import { SAC_SCHEMA } from "../../../lib/agents/sac/config.ts";

interface Toy {
  learningRate: number;
  learningRateSchedule: Schedule;
  nSteps: number;
  netArch: number[];
  activation: "tanh" | "relu";
  target: "auto" | number;
  clip: number | null;
  adamEps: number;
}

const TOY = defineConfig<Toy>("Toy", {
  learningRate: {
    sb3: "learning_rate",
    default: 3e-4,
    check: numberIn(0, Infinity, "()"),
    schedule: "learningRateSchedule",
  },
  learningRateSchedule: { default: "constant", check: oneOf(["constant", "linear"]) },
  nSteps: { sb3: "n_steps", default: 2048, check: integerFrom(2) },
  netArch: { sb3: "net_arch", policyKwarg: true, default: [64, 64], check: netArch([], true) },
  activation: {
    sb3: "activation_fn",
    policyKwarg: true,
    default: "tanh",
    check: oneOf(["tanh", "relu"]),
    convert: activationName,
  },
  target: { sb3: "target", default: "auto", check: literalOr("auto", numberIn(0, 1, "[]")) },
  clip: { sb3: "clip", default: null, check: nullOr(numberIn(0, Infinity, "()")) },
  adamEps: { default: 1e-8, check: numberIn(0, Infinity, "()") },
}, {
  rejected: { use_sde: (v) => v === true ? "gSDE is not implemented" : null },
  refine: (c) => (c.nSteps as number) % 2 === 0 ? null : ["nSteps", "an even number"],
});

Deno.test("defaults, SB3 names at the top level and in policy_kwargs, camelCase passes", () => {
  assertEquals(TOY.defaults.nSteps, 2048);
  assertEquals(TOY.sb3Names.n_steps, "nSteps");
  const c = TOY.make({
    n_steps: 128,
    policy_kwargs: { net_arch: [8], activation_fn: "nn.ReLU", optimizer_kwargs: { eps: 1e-5 } },
    clip: 0.2,
  });
  assertEquals([c.nSteps, c.netArch, c.activation, c.adamEps, c.clip], [
    128,
    [8],
    "relu",
    1e-5,
    0.2,
  ]);
  assertEquals(TOY.make({ nSteps: 64 }).nSteps, 64);
  assertEquals(TOY.make({ activation_fn: "th.nn.Tanh" }).activation, "tanh");
  assertEquals(TOY.make({ target: 0.5 }).target, 0.5);
  // The defaults are frozen; make returns copies.
  const a = TOY.make();
  a.netArch.push(1);
  assertEquals(TOY.defaults.netArch, [64, 64]);
});

Deno.test("rl-zoo linear schedules set the value and its schedule field", () => {
  const c = TOY.make({ learning_rate: "lin_1e-3" });
  assertEquals([c.learningRate, c.learningRateSchedule], [1e-3, "linear"]);
  assertEquals(scheduleValue("linear", 1e-3, 0.25), 2.5e-4);
  assertEquals(scheduleValue("constant", 1e-3, 0.25), 1e-3);
  assertThrows(() => TOY.make({ learning_rate: "lin_x" }), Error, "lin_<initial value>");
  assertThrows(() => TOY.make({ learning_rate: "cos_1" }), Error, "lin_<initial value>");
});

Deno.test("errors name the field, the value and what is expected", () => {
  assertThrows(() => TOY.make({ n_steps: 1 }), RangeError, "Toy config: nSteps = 1 is invalid");
  assertThrows(() => TOY.make({ n_steps: 7 }), RangeError, "an even number");
  assertThrows(() => TOY.make({ target: "max" }), RangeError, "target");
  assertThrows(() => TOY.make({ net_arch: [0] }), RangeError, "netArch");
  assertThrows(() => TOY.make({ nstep: 3 }), Error, 'unknown field(s) "nstep"');
  assertThrows(() => TOY.make({ use_sde: true }), Error, "gSDE is not implemented");
  assertEquals(TOY.make({ use_sde: false }).nSteps, 2048);
  assertThrows(() => TOY.make({ n_steps: 64, nSteps: 64 }), Error, "already set");
  assertThrows(() => TOY.make({ policy_kwargs: { n_steps: 8 } }), Error, "not a policy keyword");
  assertThrows(
    () => TOY.make({ policy_kwargs: { optimizer_kwargs: { betas: [0.9, 0.99] } } }),
    Error,
    'supports only "eps"',
  );
  assertThrows(() => TOY.make([]), TypeError, "must be an object");
  assertThrows(() => TOY.validate({ nSteps: 8 }), Error, "missing field(s)");
});

Deno.test("PPO and SAC share the SB3 names of their common fields", () => {
  for (const name of ["learning_rate", "batch_size", "gamma", "net_arch", "activation_fn"]) {
    assertEquals(PPO_SCHEMA.sb3Names[name], SAC_SCHEMA.sb3Names[name], name);
  }
  assertEquals(PPO_SCHEMA.make({ n_envs: 4, n_steps: 16 }).nEnvs, 4);
  assertThrows(() => SAC_SCHEMA.make({ n_envs: 4 }), Error, "one environment");
});

Deno.test("parseOverride: JSON values, else bare strings", () => {
  assertEquals(parseOverride("net_arch=[256,256]"), ["net_arch", [256, 256]]);
  assertEquals(parseOverride("learning_rate=lin_3e-4"), ["learning_rate", "lin_3e-4"]);
  assertEquals(parseOverride("normalize=true"), ["normalize", true]);
  assertEquals(parseOverride("activation_fn=tanh"), ["activation_fn", "tanh"]);
  assertEquals(parseOverride("gamma=0.9"), ["gamma", 0.9]);
  assertThrows(() => parseOverride("=1"), Error, "key=value");
  assertThrows(() => parseOverride("gamma"), Error, "key=value");
});
