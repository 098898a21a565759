"""PyTorch + scipy reference for bench/hvp.ts (not a dependency of pgsubspace).

Reads θ and data written by bench/hvp.ts (raw little-endian float32 files + meta.json in the
directory given as the only argument), builds the same PPO 64x64 actor and critic losses
(analysis point: ratio 1; advantages normalised over the batch with the unbiased std + 1e-8;
critic vf_coef * MSE), and measures, as the paper's code does it:

- one Hessian-vector product by double backprop with the gradient graph built once and
  retained (torch.autograd.grad(g, theta, v, retain_graph=True)) at 1e4 and 1e5 samples;
- scipy.sparse.linalg.eigsh(k=100, which="LA", tol=1e-4) on a float32 LinearOperator of the
  actor HVP (ARPACK, ncv default 201): matvec count and wall time;
- the full spectrum: explicit Hessian from N HVPs (batched with is_grads_batched) and
  torch.linalg.eigvalsh.

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


def mlp(theta, dims, x):
    """Blocks W (in x out, row-major, y = x W + b) then b per layer; tanh between layers."""
    off = 0
    h = x
    for layer in range(len(dims) - 1):
        fi, fo = dims[layer], dims[layer + 1]
        w = theta[off:off + fi * fo].view(fi, fo)
        b = theta[off + fi * fo:off + fi * fo + fo]
        h = h @ w + b
        if layer + 2 < len(dims):
            h = torch.tanh(h)
        off += fi * fo + fo
    return h


def main():
    directory = sys.argv[1]
    with open(f"{directory}/meta.json") as f:
        meta = json.load(f)
    obs_dim, act_dim, hidden = meta["obsDim"], meta["actDim"], meta["hidden"]
    actor0, critic0 = load(directory, "actor"), load(directory, "critic")
    obs_all = load(directory, "obs").view(-1, obs_dim)
    act_all = load(directory, "actions").view(-1, act_dim)
    adv_all = load(directory, "advantages")
    ret_all = load(directory, "returns")
    pi_dims = [obs_dim, *hidden, act_dim]
    vf_dims = [obs_dim, *hidden, 1]

    def actor_loss(theta, n):
        obs, act = obs_all[:n], act_all[:n]
        adv = adv_all[:n].double()
        adv = ((adv - adv.mean()) / (adv.std(unbiased=True) + 1e-8)).float()
        mean = mlp(theta, pi_dims, obs)
        log_std = theta[-act_dim:]
        z = (act - mean) * torch.exp(-log_std)
        logp = (-0.5 * z * z - log_std - 0.5 * np.log(2 * np.pi)).sum(1)
        ratio = torch.exp(logp - logp.detach())
        entropy = (0.5 + 0.5 * np.log(2 * np.pi) + log_std).sum()
        return -(adv * ratio).mean() - meta["entCoef"] * entropy

    def critic_loss(theta, n):
        v = mlp(theta, vf_dims, obs_all[:n]).squeeze(1)
        return meta["vfCoef"] * ((ret_all[:n] - v) ** 2).mean()

    def hvp_operator(loss_fn, theta0, n):
        theta = theta0.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(loss_fn(theta, n), theta, create_graph=True)
        count = [0]

        def hvp(v):
            count[0] += 1
            (hv,) = torch.autograd.grad(g, theta, v, retain_graph=True)
            return hv

        return theta, g, hvp, count

    out = {
        "torch": torch.__version__,
        "scipy": scipy.__version__,
        "threads": torch.get_num_threads(),
    }
    gen = torch.Generator().manual_seed(5)
    for n in (10_000, 100_000):
        for name, fn, theta0 in (("actor", actor_loss, actor0), ("critic", critic_loss, critic0)):
            _, _, hvp, _ = hvp_operator(fn, theta0, n)
            v = torch.randn(theta0.numel(), generator=gen)
            hvp(v)
            reps = 2 if n >= 100_000 else 4
            t0 = time.perf_counter()
            for _ in range(reps):
                hvp(v)
            out[f"hvp_{name}_{n}"] = (time.perf_counter() - t0) / reps * 1000
            print(f"torch HVP {name} {n}: {out[f'hvp_{name}_{n}']:.1f} ms", file=sys.stderr)

    m = meta["eigSamples"]
    theta, g, hvp, count = hvp_operator(actor_loss, actor0, m)
    size = theta.numel()
    if meta["lanczos"]:
        op = sla.LinearOperator(
            (size, size),
            matvec=lambda x: hvp(torch.from_numpy(np.asarray(x, dtype=np.float32).ravel())).numpy(),
            dtype=np.float32,
        )
        count[0] = 0
        t0 = time.perf_counter()
        values = sla.eigsh(op, k=100, which="LA", tol=1e-4, maxiter=500,
                           return_eigenvectors=False)
        out["eigsh_ms"] = (time.perf_counter() - t0) * 1000
        out["eigsh_matvecs"] = count[0]
        out["eigsh_top"] = sorted((float(x) for x in values), reverse=True)[:5]
        print(f"eigsh: {count[0]} matvecs, {out['eigsh_ms'] / 1000:.1f} s", file=sys.stderr)
    if meta["full"]:
        t0 = time.perf_counter()
        columns = []
        eye = torch.eye(size)
        for start in range(0, size, 256):
            block = eye[start:start + 256]
            (hb,) = torch.autograd.grad(g, theta, block, retain_graph=True, is_grads_batched=True)
            columns.append(hb)
        h = torch.cat(columns, 0)
        h = 0.5 * (h + h.T)
        t1 = time.perf_counter()
        eig = torch.linalg.eigvalsh(h)
        t2 = time.perf_counter()
        out["hessian_ms"] = (t1 - t0) * 1000
        out["eigh_ms"] = (t2 - t1) * 1000
        out["full_ms"] = (t2 - t0) * 1000
        out["eigh_top"] = [float(x) for x in eig.flip(0)[:5]]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
