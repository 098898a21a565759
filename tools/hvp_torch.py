"""PyTorch + scipy reference for bench/hvp.ts (not a dependency of pgsubspace).

Reads θ and data written by bench/hvp.ts (raw little-endian float32 files + meta.json in the
directory given as the only argument) and builds the same losses as the paper's code:

- PPO actor at the analysis point (ratio 1; advantages normalised over the batch with the
  unbiased std + 1e-8; entropy bonus), PPO critic vf_coef * MSE;
- SAC actor: squashed Gaussian (log std clamped to [-20, 2], fixed noise), alpha * log pi minus
  min of two Q-networks whose parameters are constants (gradients flow through the action);
  SAC critic: 0.5 * sum_j mean((Q_j(s, a) - y)^2) with constant targets.

For every job {kind, samples, threads} it measures one Hessian-vector product by double backprop
with the gradient graph built once and retained (torch.autograd.grad(g, theta, v,
retain_graph=True)), as the paper's code does, with torch.set_num_threads(threads). It also
measures torch.mm GFLOP/s on the engine's dominant product shapes, and optionally (meta flags)
scipy eigsh top-100 and the full spectrum of the PPO actor on `eigSamples` samples.

Prints one JSON line with the timings in milliseconds.
"""

import json
import sys
import time

import numpy as np
import scipy
import scipy.sparse.linalg as sla
import torch


def load(directory, name):
    return torch.from_numpy(np.fromfile(f"{directory}/{name}.f32", dtype="<f4").copy())


def mlp(theta, off, dims, x, act, activate_last=False):
    """Blocks W (in x out, row-major, y = x W + b) then b per layer; returns (y, next offset)."""
    h = x
    for layer in range(len(dims) - 1):
        fi, fo = dims[layer], dims[layer + 1]
        w = theta[off:off + fi * fo].view(fi, fo)
        b = theta[off + fi * fo:off + fi * fo + fo]
        h = h @ w + b
        if layer + 2 < len(dims) or activate_last:
            h = torch.tanh(h) if act == "tanh" else torch.relu(h)
        off += fi * fo + fo
    return h, off


def ppo_losses(directory, meta):
    p = meta["ppo"]
    obs_dim, act_dim, hidden, act = p["obsDim"], p["actDim"], p["hidden"], p["activation"]
    obs_all = load(directory, "ppo_obs").view(-1, obs_dim)
    act_all = load(directory, "ppo_actions").view(-1, act_dim)
    adv_all = load(directory, "ppo_advantages")
    ret_all = load(directory, "ppo_returns")
    pi_dims = [obs_dim, *hidden, act_dim]
    vf_dims = [obs_dim, *hidden, 1]

    def actor_loss(theta, n):
        adv = adv_all[:n].double()
        adv = ((adv - adv.mean()) / (adv.std(unbiased=True) + 1e-8)).float()
        mean, _ = mlp(theta, 0, pi_dims, obs_all[:n], act)
        log_std = theta[-act_dim:]
        z = (act_all[:n] - mean) * torch.exp(-log_std)
        logp = (-0.5 * z * z - log_std - 0.5 * np.log(2 * np.pi)).sum(1)
        ratio = torch.exp(logp - logp.detach())
        entropy = (0.5 + 0.5 * np.log(2 * np.pi) + log_std).sum()
        return -(adv * ratio).mean() - p["entCoef"] * entropy

    def critic_loss(theta, n):
        v, _ = mlp(theta, 0, vf_dims, obs_all[:n], act)
        return p["vfCoef"] * ((ret_all[:n] - v.squeeze(1)) ** 2).mean()

    return {
        "ppo-actor": (actor_loss, load(directory, "ppo_actor")),
        "ppo-critic": (critic_loss, load(directory, "ppo_critic")),
    }


def sac_losses(directory, meta):
    s = meta["sac"]
    obs_dim, act_dim, hidden = s["obsDim"], s["actDim"], s["hidden"]
    obs_all = load(directory, "sac_obs").view(-1, obs_dim)
    act_all = load(directory, "sac_actions").view(-1, act_dim)
    y_all = load(directory, "sac_targets")
    eps_all = load(directory, "sac_noise").view(-1, act_dim)
    critic0 = load(directory, "sac_critic")
    q_dims = [obs_dim + act_dim, *hidden, 1]
    latent_dims = [obs_dim, *hidden]
    h = hidden[-1]

    def q_values(theta, x):
        q0, off = mlp(theta, 0, q_dims, x, "relu")
        q1, _ = mlp(theta, off, q_dims, x, "relu")
        return q0.squeeze(1), q1.squeeze(1)

    def actor_loss(theta, n):
        obs, eps = obs_all[:n], eps_all[:n]
        z, off = mlp(theta, 0, latent_dims, obs, "relu", activate_last=True)
        w_mu = theta[off:off + h * act_dim].view(h, act_dim)
        b_mu = theta[off + h * act_dim:off + h * act_dim + act_dim]
        off += h * act_dim + act_dim
        w_ls = theta[off:off + h * act_dim].view(h, act_dim)
        b_ls = theta[off + h * act_dim:off + h * act_dim + act_dim]
        mu = z @ w_mu + b_mu
        log_std = torch.clamp(z @ w_ls + b_ls, -20, 2)
        a = torch.tanh(mu + torch.exp(log_std) * eps)
        logp = (-0.5 * eps * eps - log_std - 0.5 * np.log(2 * np.pi)).sum(1)
        logp = logp - torch.log(1 - a * a + 1e-6).sum(1)
        q0, q1 = q_values(critic0, torch.cat([obs, a], 1))  # critic0 has no grad: frozen
        return (s["alpha"] * logp - torch.minimum(q0, q1)).mean()

    def critic_loss(theta, n):
        q0, q1 = q_values(theta, torch.cat([obs_all[:n], act_all[:n]], 1))
        y = y_all[:n]
        return 0.5 * (((q0 - y) ** 2).mean() + ((q1 - y) ** 2).mean())

    return {
        "sac-actor": (actor_loss, load(directory, "sac_actor")),
        "sac-critic": (critic_loss, critic0),
    }


def hvp_operator(loss_fn, theta0, n):
    theta = theta0.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(loss_fn(theta, n), theta, create_graph=True)
    count = [0]

    def hvp(v):
        count[0] += 1
        (hv,) = torch.autograd.grad(g, theta, v, retain_graph=True)
        return hv

    return theta, g, hvp, count


def mm_gflops(m, k, n, threads):
    torch.set_num_threads(threads)
    a, b = torch.randn(m, k), torch.randn(k, n)
    out = torch.empty(m, n)
    for _ in range(20):
        torch.mm(a, b, out=out)
    reps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < 0.5:
        for _ in range(50):
            torch.mm(a, b, out=out)
        reps += 50
    return 2 * m * k * n * reps / (time.perf_counter() - t0) / 1e9


def main():
    directory = sys.argv[1]
    with open(f"{directory}/meta.json") as f:
        meta = json.load(f)
    losses = {}
    if "ppo" in meta:
        losses.update(ppo_losses(directory, meta))
    if "sac" in meta:
        losses.update(sac_losses(directory, meta))
    out = {
        "torch": torch.__version__,
        "scipy": scipy.__version__,
        "defaultThreads": torch.get_num_threads(),
        "hvp": {},
        "gflops": {},
    }
    default_threads = torch.get_num_threads()
    for shape in meta.get("gemmShapes", []):
        for threads in (1, default_threads):
            key = f"{shape[0]}x{shape[1]}x{shape[2]}/{threads}"
            out["gflops"][key] = mm_gflops(*shape, threads)
    gen = torch.Generator().manual_seed(5)
    for job in meta["jobs"]:
        kind, n, threads = job["kind"], job["samples"], job["threads"]
        torch.set_num_threads(threads)
        loss_fn, theta0 = losses[kind]
        t0 = time.perf_counter()
        _, _, hvp, _ = hvp_operator(loss_fn, theta0, n)
        graph_ms = (time.perf_counter() - t0) * 1000
        v = torch.randn(theta0.numel(), generator=gen)
        hvp(v)
        reps = 1 if n >= 1_000_000 else 2 if n >= 100_000 else 5
        t0 = time.perf_counter()
        for _ in range(reps):
            hvp(v)
        ms = (time.perf_counter() - t0) / reps * 1000
        out["hvp"][f"{kind}/{n}/{threads}"] = {"ms": ms, "graphMs": graph_ms}
        print(f"torch HVP {kind} {n} samples, {threads} threads: {ms:.1f} ms", file=sys.stderr)
        del hvp
    torch.set_num_threads(default_threads)

    if meta.get("lanczos") or meta.get("full"):
        loss_fn, theta0 = losses["ppo-actor"]
        theta, g, hvp, count = hvp_operator(loss_fn, theta0, meta["eigSamples"])
        size = theta.numel()
        if meta.get("lanczos"):
            op = sla.LinearOperator(
                (size, size),
                matvec=lambda x: hvp(
                    torch.from_numpy(np.asarray(x, dtype=np.float32).ravel())).numpy(),
                dtype=np.float32,
            )
            count[0] = 0
            t0 = time.perf_counter()
            values = sla.eigsh(op, k=100, which="LA", tol=1e-4, maxiter=500,
                               return_eigenvectors=False)
            out["eigsh_ms"] = (time.perf_counter() - t0) * 1000
            out["eigsh_matvecs"] = count[0]
            out["eigsh_top"] = sorted((float(x) for x in values), reverse=True)[:5]
        if meta.get("full"):
            t0 = time.perf_counter()
            columns = []
            eye = torch.eye(size)
            for start in range(0, size, 256):
                block = eye[start:start + 256]
                (hb,) = torch.autograd.grad(g, theta, block, retain_graph=True,
                                            is_grads_batched=True)
                columns.append(hb)
            hm = torch.cat(columns, 0)
            hm = 0.5 * (hm + hm.T)
            t1 = time.perf_counter()
            eig = torch.linalg.eigvalsh(hm)
            t2 = time.perf_counter()
            out["hessian_ms"] = (t1 - t0) * 1000
            out["eigh_ms"] = (t2 - t1) * 1000
            out["full_ms"] = (t2 - t0) * 1000
            out["eigh_top"] = [float(x) for x in eig.flip(0)[:5]]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
