/**
 * A quick tour without training or analysis: which tfjs backend this machine gets, a few
 * seeded episodes of Pendulum-v1 and MountainCarContinuous-v0 under simple hand-written
 * policies, and one exact Hessian-vector product checked against finite differences.
 *
 * Run: `deno task demo` (add `--backend cpu|wasm|webgpu|auto`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initRuntime, parseBackendChoice } from "../lib/runtime/mod.ts";
import { type Env, makeEnv, type Observation } from "../lib/envs/mod.ts";
import { type CliSpec, type ParsedArgs, runCli } from "../lib/cli.ts";

const DEMO_CLI: CliSpec = {
  command: "deno task demo",
  summary: "A quick tour: this machine's tfjs backend, seeded episodes of Pendulum-v1 and " +
    "MountainCarContinuous-v0 under hand-written policies, and one exact Hessian-vector product.",
  options: [
    {
      name: "backend",
      type: "string",
      value: "auto|wasm|cpu|webgpu",
      description: "tfjs backend",
      default: "auto",
    },
  ],
};

function episodeReturn(env: Env, seed: number, policy: (obs: Observation) => number): number {
  let { obs } = env.reset({ seed });
  let total = 0;
  for (;;) {
    const step = env.step(new Float32Array([policy(obs)]));
    total += step.reward;
    obs = step.obs;
    if (step.terminated || step.truncated) return total;
  }
}

// Pendulum: pump energy towards the upright state, then hold it with a PD controller.
function pendulumPolicy(obs: Observation): number {
  const [cos, sin, speed] = obs;
  const angle = Math.atan2(sin, cos);
  if (cos > 0.9) return Math.max(-2, Math.min(2, -10 * angle - 2 * speed));
  const energy = 0.5 * speed * speed / 3 + 5 * (cos - 1) / 1.5; // < 0 below the top
  return energy < 0 ? 2 * Math.sign(speed || 1) : 0;
}
// MountainCar: push in the direction of motion.
const mountainCarPolicy = (obs: Observation) => (obs[1] >= 0 ? 1 : -1);

async function main(args: ParsedArgs): Promise<void> {
  const backend = args.string("backend");
  const info = await initRuntime(backend ? { backend: parseBackendChoice(backend) } : {});
  console.log(`tfjs ${info.tfjsVersion}, backend: ${info.summary}`);

  for (
    const [id, policy, name] of [
      ["Pendulum-v1", (_: Observation) => 0, "zero torque"],
      ["Pendulum-v1", pendulumPolicy, "energy pumping + PD"],
      ["MountainCarContinuous-v0", (_: Observation) => 0, "no push"],
      ["MountainCarContinuous-v0", mountainCarPolicy, "push with the velocity"],
    ] as const
  ) {
    const env = makeEnv(id);
    const returns = [0, 1, 2, 3, 4].map((seed) => episodeReturn(env, seed, policy));
    const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
    console.log(
      `${id.padEnd(25)} ${name.padEnd(24)} mean return over seeds 0-4: ${mean.toFixed(1)}`,
    );
  }

  // An exact HVP through tanh and exp (second-order-safe gradients installed by initRuntime).
  const f = (x: tf.Tensor) => tf.sum(tf.mul(tf.tanh(x), tf.exp(tf.mul(0.5, x))));
  const x0 = tf.tensor1d([0.3, -0.7, 1.1]);
  const v = tf.tensor1d([1, 0, 0]);
  const hv = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.grad(f)(x), v)))(x0);
  const d2 = (x: number) => {
    const h = 1e-4, g = (y: number) => Math.tanh(y) * Math.exp(y / 2);
    return (g(x + h) - 2 * g(x) + g(x - h)) / (h * h);
  };
  console.log(
    `HVP d²/dx₀² [tanh(x)·e^(x/2)] at 0.3: double backprop ${
      (await hv.data())[0].toFixed(5)
    }, float64 finite differences ${d2(0.3).toFixed(5)}`,
  );
}

if (import.meta.main) await runCli(DEMO_CLI, Deno.args, main);
