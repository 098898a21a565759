/**
 * The worker side of {@linkcode ThreadedVectorEnv}: builds envs `from .. to − 1` with `makeEnv`,
 * then serves step / reset / snapshot commands through the shared arrays until told to stop.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import type { Env, EnvState } from "./env.ts";
import "./mod.ts";
import { makeEnv, prepareEnv } from "./registry.ts";
import {
  COMMAND,
  CTL,
  CTL_WORDS,
  flattenInfo,
  type InfoEntry,
  KEY_CHARS,
  MAILBOX_CHARS,
  MAX_INFO_ENTRIES,
  readText,
  type WorkerSetup,
  writeText,
} from "./threaded_vector.ts";
import { stepWithAutoReset } from "./vector.ts";

const SPINS = 4000;

self.onmessage = async (event: MessageEvent<WorkerSetup>) => {
  const { id, options, worker, from, to, obsDim, actDim, shared } = event.data;
  const ctl = shared.ctl;
  const base = worker * CTL_WORDS;
  const mailbox = worker * MAILBOX_CHARS;
  const tell = (text: string) =>
    Atomics.store(
      ctl,
      base + CTL.mailboxLength,
      writeText(shared.mailbox, mailbox, MAILBOX_CHARS, text),
    );
  let envs: Env[];
  try {
    await prepareEnv(id);
    envs = Array.from({ length: to - from }, () => makeEnv(id, { ...options }));
  } catch (e) {
    tell((e as Error).message ?? String(e));
    Atomics.store(ctl, base + CTL.state, 2);
    Atomics.notify(ctl, base + CTL.state);
    return;
  }
  Atomics.store(ctl, base + CTL.state, 1);
  Atomics.notify(ctl, base + CTL.state);

  const actions64 = envs.map(() => new Float64Array(actDim));
  const actions32 = envs.map(() => new Float32Array(actDim));
  const keys = envs.map(() => "");
  const versions = envs.map(() => 0);

  // Writes env i's info: the key list when it changed, the values always.
  const writeInfo = (i: number, info: Record<string, unknown>) => {
    const { entries, values } = flattenInfo(info, `env ${i}`);
    const k = i - from;
    const text = JSON.stringify(entries satisfies InfoEntry[]);
    if (text !== keys[k]) {
      keys[k] = text;
      shared.infoKeys[2 * i + 1] = writeText(shared.keyText, i * KEY_CHARS, KEY_CHARS, text);
      shared.infoKeys[2 * i] = ++versions[k];
    }
    shared.infoValues.set(values, i * MAX_INFO_ENTRIES);
  };

  const commands: Record<number, () => void> = {
    [COMMAND.step]: () => {
      const f32 = shared.actionsFloat32[0] === 1;
      for (let i = from; i < to; i++) {
        const k = i - from;
        const action = f32 ? actions32[k] : actions64[k];
        for (let j = 0; j < actDim; j++) action[j] = shared.actions[i * actDim + j];
        let step;
        try {
          step = stepWithAutoReset(envs[k], action);
        } catch (e) {
          throw new Error(`env ${i}: ${(e as Error).message}`);
        }
        const { result, obs } = step;
        shared.rewards[i] = result.reward;
        shared.flags[i] = (result.terminated ? 1 : 0) | (result.truncated ? 2 : 0);
        if (result.terminated || result.truncated) {
          shared.terminal.set(result.info.terminalObservation as ArrayLike<number>, i * obsDim);
          delete result.info.terminalObservation;
        }
        shared.obs.set(obs, i * obsDim);
        writeInfo(i, result.info);
      }
    },
    [COMMAND.reset]: () => {
      const length = Atomics.load(ctl, base + CTL.mailboxLength);
      const options = length === 0
        ? undefined
        : JSON.parse(readText(shared.mailbox, mailbox, length));
      for (let i = from; i < to; i++) {
        const seed = shared.seeds[i];
        const r = envs[i - from].reset({ seed: Number.isNaN(seed) ? undefined : seed, options });
        shared.obs.set(r.obs, i * obsDim);
        writeInfo(i, r.info);
      }
    },
    [COMMAND.getState]: () => tell(JSON.stringify(envs.map((e) => e.getState()))),
    [COMMAND.setState]: () => {
      const length = Atomics.load(ctl, base + CTL.mailboxLength);
      const states = JSON.parse(readText(shared.mailbox, mailbox, length)) as EnvState[];
      states.forEach((s, k) => envs[k].setState(s));
    },
  };

  let seen = 0;
  for (;;) {
    let s = Atomics.load(ctl, base + CTL.request);
    for (let i = 0; s === seen && i < SPINS; i++) s = Atomics.load(ctl, base + CTL.request);
    if (s === seen) {
      Atomics.wait(ctl, base + CTL.request, seen);
      continue;
    }
    if (s < 0) break;
    seen = s;
    try {
      commands[Atomics.load(ctl, base + CTL.command)]();
    } catch (e) {
      tell((e as Error).message ?? String(e));
      Atomics.store(ctl, base + CTL.error, 1);
    }
    Atomics.store(ctl, base + CTL.done, s);
    Atomics.notify(ctl, base + CTL.done);
  }
  envs.forEach((e) => e.close());
  self.close();
};
