/**
 * {@linkcode ThreadedVectorEnv}: a vector env whose envs step on several threads at once, with
 * exactly the results of a {@linkcode SyncVectorEnv} over the same envs (SB3 `DummyVecEnv`
 * semantics: same-step auto-reset, `terminalObservation`, env i seeded `seed + i`).
 *
 * The calling thread steps the first share of the envs itself; each worker thread builds its own
 * share with `makeEnv(id, options)` (after `prepareEnv(id)` in that thread, so MuJoCo envs load
 * one WebAssembly module per thread) and serves commands through shared memory: the caller writes
 * the actions into a `SharedArrayBuffer`, publishes a sequence number (`Atomics.store` +
 * `notify`), steps its own envs, and waits for the workers' completion numbers (spinning briefly,
 * then `Atomics.wait`), as `lib/agents/sac/wasm/threads.ts` does. Observations, rewards, flags,
 * terminal observations and info values come back through shared arrays; info keys, snapshots
 * and error messages through per-worker text mailboxes. Everything stays synchronous for the
 * caller. Info values must be numbers, booleans or one-level objects of them (as in every
 * built-in env and wrapper).
 *
 * @module
 */
import { describe, type EnvState, type ResetOptions } from "./env.ts";
import { envSpec, makeEnv, type MakeEnvOptions } from "./registry.ts";
import type { Box } from "./spaces.ts";
import {
  checkVectorReset,
  stepWithAutoReset,
  SyncVectorEnv,
  type VectorEnv,
  type VectorResetResult,
  type VectorStepResult,
} from "./vector.ts";

/**
 * Commands the caller sends to a worker (the worker protocol; internal to the two modules).
 *
 * @example
 * ```ts
 * import { COMMAND } from "./threaded_vector.ts";
 * COMMAND.step; // 1
 * ```
 */
export const COMMAND = { step: 1, reset: 2, getState: 3, setState: 4 } as const;
/**
 * Offsets of a worker's control words in `SharedLayout.ctl`: request and done sequence numbers,
 * command, start state (0 starting, 1 ready, 2 failed), error flag, mailbox text length.
 *
 * @example
 * ```ts
 * import { CTL, CTL_WORDS } from "./threaded_vector.ts";
 * const doneOfWorker1 = 1 * CTL_WORDS + CTL.done;
 * ```
 */
export const CTL = {
  request: 0,
  command: 1,
  done: 2,
  state: 3,
  error: 4,
  mailboxLength: 5,
} as const;
/**
 * Int32 control words per worker.
 *
 * @example
 * ```ts
 * import { CTL_WORDS } from "./threaded_vector.ts";
 * const ctl = new Int32Array(new SharedArrayBuffer(4 * CTL_WORDS * 2)); // two workers
 * ```
 */
export const CTL_WORDS = 8;
/**
 * Maximum number of flattened info entries per env.
 *
 * @example
 * ```ts
 * import { MAX_INFO_ENTRIES } from "./threaded_vector.ts";
 * const values = new Float64Array(8 * MAX_INFO_ENTRIES); // 8 envs
 * ```
 */
export const MAX_INFO_ENTRIES = 64;
/**
 * Characters per env for its info key list.
 *
 * @example
 * ```ts
 * import { KEY_CHARS } from "./threaded_vector.ts";
 * const keyText = new Uint16Array(8 * KEY_CHARS);
 * ```
 */
export const KEY_CHARS = 2048;
/**
 * Characters of each worker's mailbox (snapshots, options, error messages).
 *
 * @example
 * ```ts
 * import { MAILBOX_CHARS } from "./threaded_vector.ts";
 * const mailbox = new Uint16Array(MAILBOX_CHARS);
 * ```
 */
export const MAILBOX_CHARS = 1 << 21;
const SPINS = 4000;

/**
 * The shared arrays, as the worker receives them.
 *
 * @example
 * ```ts
 * import type { SharedLayout } from "./threaded_vector.ts";
 * ```
 */
export interface SharedLayout {
  /** Control words, `CTL_WORDS` per worker. */
  ctl: Int32Array;
  /** Actions, env-major. */
  actions: Float64Array;
  /** 1 when the actions are float32 (the caller passed a Float32Array). */
  actionsFloat32: Int32Array;
  /** Observations after the command (reset observation for finished envs), env-major. */
  obs: Float64Array;
  /** Terminal observations of envs that finished in the last step. */
  terminal: Float64Array;
  /** Rewards. */
  rewards: Float64Array;
  /** Per env: 1 terminated, 2 truncated. */
  flags: Int32Array;
  /** Per env: reset seed (NaN for none). */
  seeds: Float64Array;
  /** Flattened info values, `MAX_INFO_ENTRIES` per env. */
  infoValues: Float64Array;
  /** Per env: info key-list version and length in characters. */
  infoKeys: Int32Array;
  /** Per env: the info key list as JSON text, `KEY_CHARS` per env. */
  keyText: Uint16Array;
  /** Per worker mailbox text, `MAILBOX_CHARS` per worker. */
  mailbox: Uint16Array;
}

/**
 * What a worker is told at start.
 *
 * @example
 * ```ts
 * import type { WorkerSetup } from "./threaded_vector.ts";
 * ```
 */
export interface WorkerSetup {
  /** Registered id. */
  id: string;
  /** `makeEnv` options. */
  options: MakeEnvOptions;
  /** Worker index (0-based among the workers). */
  worker: number;
  /** First env index of the worker's share. */
  from: number;
  /** One past its last env index. */
  to: number;
  /** Elements of one observation. */
  obsDim: number;
  /** Elements of one action. */
  actDim: number;
  /** The shared arrays. */
  shared: SharedLayout;
}

/**
 * Writes `text` into `out` from `offset` (at most `capacity` characters); returns its length.
 *
 * @example
 * ```ts
 * import { readText, writeText } from "./threaded_vector.ts";
 * const buf = new Uint16Array(16);
 * const n = writeText(buf, 0, 16, "hello");
 * readText(buf, 0, n); // "hello"
 * ```
 */
export function writeText(
  out: Uint16Array,
  offset: number,
  capacity: number,
  text: string,
): number {
  if (text.length > capacity) {
    throw new RangeError(
      `ThreadedVectorEnv: ${text.length} characters do not fit the ${capacity}-character shared ` +
        `buffer; use a SyncVectorEnv for envs with such large states or infos`,
    );
  }
  for (let i = 0; i < text.length; i++) out[offset + i] = text.charCodeAt(i);
  return text.length;
}

/**
 * Reads `length` characters of `buf` from `offset`.
 *
 * @example
 * ```ts
 * import { readText } from "./threaded_vector.ts";
 * readText(new Uint16Array([104, 105]), 0, 2); // "hi"
 * ```
 */
export function readText(buf: Uint16Array, offset: number, length: number): string {
  let s = "";
  for (let i = 0; i < length; i += 8192) {
    s += String.fromCharCode(...buf.slice(offset + i, offset + Math.min(length, i + 8192)));
  }
  return s;
}

/**
 * An info entry: path (`"x_position"` or `"episode.r"`) and type (`"n"` number, `"b"` boolean).
 *
 * @example
 * ```ts
 * import type { InfoEntry } from "./threaded_vector.ts";
 * const e: InfoEntry = ["episode.r", "n"];
 * ```
 */
export type InfoEntry = [string, "n" | "b"];

/**
 * Flattens an info dict into entries and values (numbers, booleans, one level of nesting).
 *
 * @example
 * ```ts
 * import { flattenInfo } from "./threaded_vector.ts";
 * flattenInfo({ x: 1, episode: { r: 2, l: 3 } }, "Env");
 * // { entries: [["x","n"], ["episode.r","n"], ["episode.l","n"]], values: [1, 2, 3] }
 * ```
 */
export function flattenInfo(
  info: Record<string, unknown>,
  who: string,
): { entries: InfoEntry[]; values: number[] } {
  const entries: InfoEntry[] = [];
  const values: number[] = [];
  const add = (path: string, v: unknown) => {
    if (typeof v === "number") {
      entries.push([path, "n"]);
      values.push(v);
    } else if (typeof v === "boolean") {
      entries.push([path, "b"]);
      values.push(v ? 1 : 0);
    } else {
      throw new TypeError(
        `${who}: info value ${path} = ${describe(v)} cannot cross threads (numbers, booleans ` +
          `and one level of objects of them can); use a SyncVectorEnv`,
      );
    }
  };
  for (const [k, v] of Object.entries(info)) {
    if (v !== null && typeof v === "object" && !Array.isArray(v) && !ArrayBuffer.isView(v)) {
      for (const [k2, v2] of Object.entries(v)) add(`${k}.${k2}`, v2);
    } else add(k, v);
  }
  if (entries.length > MAX_INFO_ENTRIES) {
    throw new RangeError(`${who}: more than ${MAX_INFO_ENTRIES} info entries`);
  }
  return { entries, values };
}

/**
 * Rebuilds an info dict from entries and values.
 *
 * @example
 * ```ts
 * import { unflattenInfo } from "./threaded_vector.ts";
 * unflattenInfo([["x", "n"], ["episode.r", "n"]], new Float64Array([1, 2]), 0);
 * // { x: 1, episode: { r: 2 } }
 * ```
 */
export function unflattenInfo(
  entries: readonly InfoEntry[],
  values: Float64Array,
  offset: number,
): Record<string, unknown> {
  const info: Record<string, unknown> = {};
  for (let k = 0; k < entries.length; k++) {
    const [path, type] = entries[k];
    const v = type === "b" ? values[offset + k] === 1 : values[offset + k];
    const dot = path.indexOf(".");
    if (dot < 0) info[path] = v;
    else {
      const head = path.slice(0, dot);
      const inner = (info[head] ??= {}) as Record<string, unknown>;
      inner[path.slice(dot + 1)] = v;
    }
  }
  return info;
}

/**
 * Options of {@linkcode ThreadedVectorEnv}: the `makeEnv` options of every env plus `threads`.
 *
 * @example
 * ```ts
 * import type { ThreadedVectorEnvOptions } from "./threaded_vector.ts";
 * const o: ThreadedVectorEnvOptions = { threads: 2, recordEpisodeStatistics: true };
 * ```
 */
export interface ThreadedVectorEnvOptions extends MakeEnvOptions {
  /** Threads stepping envs, the calling one included (default 2; at most the number of envs). */
  threads?: number;
}

/**
 * A vector env stepping its envs on `threads` threads (see the module doc).
 *
 * @example
 * ```ts
 * import { prepareEnv } from "./registry.ts";
 * import { ThreadedVectorEnv } from "./threaded_vector.ts";
 * import "./mod.ts"; // registers the built-in envs
 * await prepareEnv("HalfCheetah-v4");
 * const venv = new ThreadedVectorEnv("HalfCheetah-v4", 8, { threads: 2 });
 * venv.reset({ seed: 0 });
 * const { obs, rewards } = venv.step(new Float64Array(8 * 6));
 * venv.close();
 * ```
 */
export class ThreadedVectorEnv implements VectorEnv {
  /** Registered id of every env. */
  readonly id: string;
  /** Number of environments. */
  readonly numEnvs: number;
  /** Threads stepping envs, the calling one included. */
  readonly threads: number;
  /** Observation space of one env. */
  readonly singleObservationSpace: Box;
  /** Action space of one env. */
  readonly singleActionSpace: Box;
  /** Elements of one observation. */
  readonly obsDim: number;
  /** Elements of one action. */
  readonly actDim: number;

  /** The calling thread's share: envs 0 .. local.numEnvs − 1. */
  readonly #local: SyncVectorEnv;
  readonly #ranges: [number, number][];
  readonly #shared: SharedLayout;
  #workers: Worker[] = [];
  #seq = 0;
  #ready = false;
  #hasReset = false;
  readonly #keyCache: { version: number; entries: InfoEntry[] }[];
  readonly #actions32: Float32Array;
  readonly #actions64: Float64Array;

  /**
   * Builds the calling thread's envs at once and starts the workers, which build theirs in the
   * background; the first command waits for them. `prepareEnv(id)` must have run in this thread.
   */
  constructor(id: string, numEnvs: number, options: ThreadedVectorEnvOptions = {}) {
    envSpec(id);
    if (!Number.isSafeInteger(numEnvs) || numEnvs <= 0) {
      throw new RangeError(
        `ThreadedVectorEnv: numEnvs must be a positive integer, got ${describe(numEnvs)}`,
      );
    }
    const { threads: requested = 2, ...envOptions } = options;
    if (!Number.isSafeInteger(requested) || requested <= 0) {
      throw new RangeError(
        `ThreadedVectorEnv: threads must be a positive integer, got ${describe(requested)}`,
      );
    }
    this.id = id;
    this.numEnvs = numEnvs;
    this.threads = Math.min(requested, numEnvs);
    // Contiguous shares, the larger ones first: thread t steps envs [ranges[t][0], ranges[t][1]).
    this.#ranges = [];
    for (let t = 0, from = 0; t < this.threads; t++) {
      const size = Math.floor(numEnvs / this.threads) + (t < numEnvs % this.threads ? 1 : 0);
      this.#ranges.push([from, from + size]);
      from += size;
    }
    const localCount = this.#ranges[0][1];
    this.#local = new SyncVectorEnv(
      Array.from({ length: localCount }, () => makeEnv(id, { ...envOptions })),
    );
    this.singleObservationSpace = this.#local.singleObservationSpace;
    this.singleActionSpace = this.#local.singleActionSpace;
    this.obsDim = this.#local.obsDim;
    this.actDim = this.#local.actDim;
    const workers = this.threads - 1;
    const f64 = (n: number) => new Float64Array(new SharedArrayBuffer(8 * Math.max(n, 1)));
    const i32 = (n: number) => new Int32Array(new SharedArrayBuffer(4 * Math.max(n, 1)));
    this.#shared = {
      ctl: i32(CTL_WORDS * Math.max(workers, 1)),
      actions: f64(numEnvs * this.actDim),
      actionsFloat32: i32(1),
      obs: f64(numEnvs * this.obsDim),
      terminal: f64(numEnvs * this.obsDim),
      rewards: f64(numEnvs),
      flags: i32(numEnvs),
      seeds: f64(numEnvs),
      infoValues: f64(numEnvs * MAX_INFO_ENTRIES),
      infoKeys: i32(2 * numEnvs),
      keyText: new Uint16Array(new SharedArrayBuffer(2 * KEY_CHARS * numEnvs)),
      mailbox: new Uint16Array(new SharedArrayBuffer(2 * MAILBOX_CHARS * Math.max(workers, 1))),
    };
    this.#keyCache = Array.from({ length: numEnvs }, () => ({ version: 0, entries: [] }));
    this.#actions32 = new Float32Array(localCount * this.actDim);
    this.#actions64 = new Float64Array(localCount * this.actDim);
    const url = new URL("./threaded_vector_worker.ts", import.meta.url);
    for (let w = 0; w < workers; w++) {
      const [from, to] = this.#ranges[w + 1];
      const worker = new Worker(url, { type: "module" });
      const setup: WorkerSetup = {
        id,
        options: envOptions,
        worker: w,
        from,
        to,
        obsDim: this.obsDim,
        actDim: this.actDim,
        shared: this.#shared,
      };
      worker.postMessage(setup);
      this.#workers.push(worker);
    }
  }

  /** Resets every env: env i with `seed + i` when a seed is given. */
  reset(opts: ResetOptions = {}): VectorResetResult {
    const { seed, options } = checkVectorReset(opts, "ThreadedVectorEnv.reset");
    const { seeds } = this.#shared;
    for (let i = 0; i < this.numEnvs; i++) seeds[i] = seed === undefined ? NaN : seed + i;
    const optionsText = options === undefined ? "" : JSON.stringify(options);
    const seq = this.#publish(COMMAND.reset, optionsText);
    const local = this.#local.reset(opts);
    this.#await(seq, "reset");
    const obs = this.#newObs();
    obs.set(local.obs);
    const infos = local.infos.concat(this.#remoteInfos());
    this.#copyRemote(obs, this.#shared.obs);
    this.#hasReset = true;
    return { obs, infos };
  }

  /**
   * Steps env i with `actions[i * actDim, (i + 1) * actDim)` and auto-resets finished envs. A
   * `Float32Array` keeps float32 action semantics; other arrays are float64.
   */
  step(actions: ArrayLike<number>): VectorStepResult {
    if (!this.#hasReset) {
      throw new Error(
        "ThreadedVectorEnv: cannot call step() before reset(); call venv.reset() first",
      );
    }
    const n = this.numEnvs, actDim = this.actDim, obsDim = this.obsDim;
    if (actions === null || typeof actions !== "object" || actions.length !== n * actDim) {
      throw new TypeError(
        `ThreadedVectorEnv.step: expected ${n * actDim} actions (${n} envs x ${actDim}), got ` +
          describe(actions),
      );
    }
    const f32 = actions instanceof Float32Array;
    const shared = this.#shared;
    const localCount = this.#local.numEnvs;
    for (let j = localCount * actDim; j < n * actDim; j++) shared.actions[j] = actions[j];
    shared.actionsFloat32[0] = f32 ? 1 : 0;
    const seq = this.#publish(COMMAND.step, "");
    // The calling thread's share (errors wait for the workers first, so none is left running).
    const local = f32 ? this.#actions32 : this.#actions64;
    for (let j = 0; j < localCount * actDim; j++) local[j] = actions[j];
    const obs = this.#newObs();
    const rewards = new Float64Array(n);
    const terminated = new Uint8Array(n), truncated = new Uint8Array(n);
    const infos: Record<string, unknown>[] = new Array(n);
    let failure: unknown = null;
    try {
      for (let i = 0; i < localCount; i++) {
        const { result, obs: o } = stepWithAutoReset(
          this.#local.envs[i],
          local.subarray(i * actDim, (i + 1) * actDim),
        );
        rewards[i] = result.reward;
        terminated[i] = result.terminated ? 1 : 0;
        truncated[i] = result.truncated ? 1 : 0;
        obs.set(o, i * obsDim);
        infos[i] = result.info;
      }
    } catch (e) {
      failure = e;
    }
    this.#await(seq, "step");
    if (failure !== null) {
      const e = failure as Error;
      e.message = `ThreadedVectorEnv.step: env ${
        infos.findIndex((x) => x === undefined)
      }: ${e.message}`;
      throw e;
    }
    this.#copyRemote(obs, shared.obs);
    const remote = this.#remoteInfos();
    for (let i = localCount; i < n; i++) {
      const flag = shared.flags[i];
      rewards[i] = shared.rewards[i];
      terminated[i] = flag & 1;
      truncated[i] = (flag >> 1) & 1;
      const info = remote[i - localCount];
      if (flag !== 0) {
        const terminal = this.#newObs(obsDim);
        for (let k = 0; k < obsDim; k++) terminal[k] = shared.terminal[i * obsDim + k];
        info.terminalObservation = terminal;
      }
      infos[i] = info;
    }
    return { obs, rewards, terminated, truncated, infos };
  }

  /**
   * `{ vector: "SyncVectorEnv", hasReset, envs: [each env's state] }`: the same snapshot as a
   * `SyncVectorEnv` of the same envs, so either can restore the other's.
   */
  getState(): EnvState {
    const seq = this.#publish(COMMAND.getState, "");
    const local = this.#local.getState().envs as EnvState[];
    this.#await(seq, "getState");
    const remote = this.#workers.flatMap((_, w) => JSON.parse(this.#mailbox(w)) as EnvState[]);
    return { vector: "SyncVectorEnv", hasReset: this.#hasReset, envs: [...local, ...remote] };
  }

  /** Restores a snapshot of a `ThreadedVectorEnv` or `SyncVectorEnv` with as many envs. */
  setState(s: EnvState): void {
    if (
      s === null || typeof s !== "object" ||
      s.vector !== "SyncVectorEnv" ||
      typeof s.hasReset !== "boolean" || !Array.isArray(s.envs)
    ) {
      throw new TypeError(`ThreadedVectorEnv.setState: malformed state ${describe(s)}`);
    }
    if (s.envs.length !== this.numEnvs) {
      throw new RangeError(
        `ThreadedVectorEnv.setState: the state has ${s.envs.length} envs, this vector env ${this.numEnvs}`,
      );
    }
    const envs = s.envs as EnvState[];
    const seq = this.#publish(
      COMMAND.setState,
      (w) => JSON.stringify(envs.slice(...this.#ranges[w + 1])),
    );
    let failure: unknown = null;
    try {
      this.#local.setState({
        vector: "SyncVectorEnv",
        hasReset: s.hasReset,
        envs: envs.slice(0, this.#local.numEnvs),
      });
    } catch (e) {
      failure = e;
    }
    this.#await(seq, "setState");
    if (failure !== null) throw failure;
    this.#hasReset = s.hasReset;
  }

  /** Stops the workers and closes the calling thread's envs (workers close theirs on exit). */
  close(): void {
    const { ctl } = this.#shared;
    this.#workers.forEach((worker, w) => {
      Atomics.store(ctl, w * CTL_WORDS + CTL.request, -1);
      Atomics.notify(ctl, w * CTL_WORDS + CTL.request);
      worker.terminate();
    });
    this.#workers = [];
    this.#local.close();
  }

  /** A fresh observation array of the space's dtype. */
  #newObs(length = this.numEnvs * this.obsDim): Float32Array | Float64Array {
    return this.singleObservationSpace.dtype === "float64"
      ? new Float64Array(length)
      : new Float32Array(length);
  }

  /** Copies the workers' rows of `from` into `obs`. */
  #copyRemote(obs: Float32Array | Float64Array, from: Float64Array): void {
    const start = this.#local.numEnvs * this.obsDim;
    for (let j = start; j < obs.length; j++) obs[j] = from[j];
  }

  /** The workers' envs' infos of the last command. */
  #remoteInfos(): Record<string, unknown>[] {
    const { infoKeys, keyText, infoValues } = this.#shared;
    const out: Record<string, unknown>[] = [];
    for (let i = this.#local.numEnvs; i < this.numEnvs; i++) {
      const cache = this.#keyCache[i];
      const version = infoKeys[2 * i];
      if (version !== cache.version) {
        cache.entries = JSON.parse(readText(keyText, i * KEY_CHARS, infoKeys[2 * i + 1]));
        cache.version = version;
      }
      out.push(unflattenInfo(cache.entries, infoValues, i * MAX_INFO_ENTRIES));
    }
    return out;
  }

  /** Publishes a command to every worker (with a mailbox text per worker); returns its number. */
  #publish(command: number, text: string | ((worker: number) => string)): number {
    if (this.#workers.length === 0 && this.threads > 1) {
      throw new Error("ThreadedVectorEnv: used after close()");
    }
    if (!this.#ready) this.#waitReady();
    const { ctl, mailbox } = this.#shared;
    const seq = ++this.#seq;
    this.#workers.forEach((_, w) => {
      const body = typeof text === "string" ? text : text(w);
      const length = writeText(mailbox, w * MAILBOX_CHARS, MAILBOX_CHARS, body);
      const base = w * CTL_WORDS;
      Atomics.store(ctl, base + CTL.mailboxLength, length);
      Atomics.store(ctl, base + CTL.command, command);
      Atomics.store(ctl, base + CTL.error, 0);
      Atomics.store(ctl, base + CTL.request, seq);
      Atomics.notify(ctl, base + CTL.request);
    });
    return seq;
  }

  /** Waits until every worker finished command `seq`; throws the first worker error. */
  #await(seq: number, what: string): void {
    const { ctl } = this.#shared;
    let error: string | null = null;
    this.#workers.forEach((_, w) => {
      const base = w * CTL_WORDS;
      let done = Atomics.load(ctl, base + CTL.done);
      for (let i = 0; done !== seq && i < SPINS; i++) done = Atomics.load(ctl, base + CTL.done);
      while (done !== seq) {
        if (Atomics.wait(ctl, base + CTL.done, done, 120_000) === "timed-out") {
          throw new Error(`ThreadedVectorEnv.${what}: worker ${w} did not answer within 120 s`);
        }
        done = Atomics.load(ctl, base + CTL.done);
      }
      if (error === null && Atomics.load(ctl, base + CTL.error) === 1) error = this.#mailbox(w);
    });
    if (error !== null) throw new Error(`ThreadedVectorEnv.${what}: ${error}`);
  }

  /** Worker w's mailbox text. */
  #mailbox(w: number): string {
    const { ctl, mailbox } = this.#shared;
    return readText(
      mailbox,
      w * MAILBOX_CHARS,
      Atomics.load(ctl, w * CTL_WORDS + CTL.mailboxLength),
    );
  }

  /** Waits until every worker has built its envs. */
  #waitReady(): void {
    const { ctl } = this.#shared;
    this.#workers.forEach((_, w) => {
      const at = w * CTL_WORDS + CTL.state;
      if (Atomics.load(ctl, at) === 0 && Atomics.wait(ctl, at, 0, 120_000) === "timed-out") {
        throw new Error(`ThreadedVectorEnv: worker ${w} did not start within 120 s`);
      }
      if (Atomics.load(ctl, at) !== 1) {
        throw new Error(
          `ThreadedVectorEnv: worker ${w} could not build its envs: ${this.#mailbox(w)}`,
        );
      }
    });
    this.#ready = true;
  }
}
