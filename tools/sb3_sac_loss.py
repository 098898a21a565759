"""SB3's SAC losses and gradient step in PyTorch, for cross-checking pgsubspace's SAC.

Reads one JSON object on stdin: network geometry, flat actor / critic / target-critic parameter
vectors in pgsubspace's block order, and either

* ``"mode": "losses"``: one batch with its reparameterisation noise; prints the critic targets,
  log-probabilities, the three losses and their gradients (flat, same block order), or
* ``"mode": "step"``: a list of batches with noise; runs SB3's ``SAC.train`` inner loop (alpha
  loss and Adam step on log alpha, critic loss and Adam step, actor loss with the updated critic
  and Adam step, Polyak update) once per batch and prints the final parameters, log alpha and the
  losses of every step.

The networks are built the way SB3's SAC ``MlpPolicy`` builds them (``latent_pi`` Linear+ReLU
stack, ``mu`` and ``log_std`` heads, ``qf0``/``qf1`` on concat(obs, action)), and the
squashed-Gaussian log-probability is SB3's ``SquashedDiagGaussianDistribution`` with the noise
given instead of drawn (``rsample`` = mean + std * noise).

pgsubspace's weight blocks are [in, out] (y = x W + b), i.e. torch's ``weight.T``.
Written for pgsubspace's tests; not a dependency.
"""
import json
import sys

import torch as th
import torch.nn.functional as F
from torch import nn

LOG_STD_MIN, LOG_STD_MAX = -20, 2


def mlp(dims, relu_last):
    layers = []
    for i in range(len(dims) - 1):
        layers.append(nn.Linear(dims[i], dims[i + 1]))
        if i < len(dims) - 2 or relu_last:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def linears(module):
    return [m for m in module.modules() if isinstance(m, nn.Linear)]


def load(modules, flat):
    off = 0
    for layer in [lin for m in modules for lin in linears(m)]:
        fi, fo = layer.in_features, layer.out_features
        w = th.tensor(flat[off:off + fi * fo], dtype=th.float32).reshape(fi, fo).T
        off += fi * fo
        b = th.tensor(flat[off:off + fo], dtype=th.float32)
        off += fo
        with th.no_grad():
            layer.weight.copy_(w)
            layer.bias.copy_(b)
    assert off == len(flat), (off, len(flat))


def flat(modules, grad=False):
    parts = []
    for layer in [lin for m in modules for lin in linears(m)]:
        w, b = (layer.weight.grad, layer.bias.grad) if grad else (layer.weight, layer.bias)
        parts += [w.T.reshape(-1), b.reshape(-1)]
    return th.cat(parts).detach()


class Actor(nn.Module):
    def __init__(self, obs_dim, act_dim, hidden):
        super().__init__()
        self.latent_pi = mlp([obs_dim, *hidden], relu_last=True)
        self.mu = nn.Linear(hidden[-1], act_dim)
        self.log_std = nn.Linear(hidden[-1], act_dim)

    def action_log_prob(self, obs, noise):
        latent = self.latent_pi(obs)
        mean = self.mu(latent)
        log_std = th.clamp(self.log_std(latent), LOG_STD_MIN, LOG_STD_MAX)
        std = th.ones_like(mean) * log_std.exp()
        gaussian_actions = mean + std * noise
        actions = th.tanh(gaussian_actions)
        log_prob = th.distributions.Normal(mean, std).log_prob(gaussian_actions).sum(dim=1)
        log_prob -= th.sum(th.log(1 - actions**2 + 1e-6), dim=1)
        return actions, log_prob


class Critic(nn.Module):
    def __init__(self, obs_dim, act_dim, hidden):
        super().__init__()
        self.qf0 = mlp([obs_dim + act_dim, *hidden, 1], relu_last=False)
        self.qf1 = mlp([obs_dim + act_dim, *hidden, 1], relu_last=False)

    def forward(self, obs, actions):
        x = th.cat([obs, actions], dim=1)
        return self.qf0(x), self.qf1(x)


def batch_tensors(b, obs_dim, act_dim):
    n = len(b["rewards"])
    t = lambda k, w: th.tensor(b[k], dtype=th.float32).reshape(n, w)
    return {
        "obs": t("obs", obs_dim),
        "actions": t("actions", act_dim),
        "rewards": t("rewards", 1),
        "next_obs": t("next_obs", obs_dim),
        "dones": t("dones", 1),
        "noise": t("noise", act_dim),
        "next_noise": t("next_noise", act_dim),
    }


def build(cfg):
    o, a, h = cfg["obs_dim"], cfg["act_dim"], cfg["hidden"]
    actor, critic, target = Actor(o, a, h), Critic(o, a, h), Critic(o, a, h)
    load([actor.latent_pi, actor.mu, actor.log_std], cfg["actor"])
    load([critic.qf0, critic.qf1], cfg["critic"])
    load([target.qf0, target.qf1], cfg["critic_target"])
    log_ent_coef = th.tensor([cfg["log_ent_coef"]], dtype=th.float32, requires_grad=True)
    return actor, critic, target, log_ent_coef


def targets_of(actor, target, d, ent_coef, gamma):
    with th.no_grad():
        next_actions, next_log_prob = actor.action_log_prob(d["next_obs"], d["next_noise"])
        next_q = th.cat(target(d["next_obs"], next_actions), dim=1)
        next_q, _ = th.min(next_q, dim=1, keepdim=True)
        next_q = next_q - ent_coef * next_log_prob.reshape(-1, 1)
        return d["rewards"] + (1 - d["dones"]) * gamma * next_q


def losses(cfg):
    actor, critic, target, log_ent_coef = build(cfg)
    d = batch_tensors(cfg["batch"], cfg["obs_dim"], cfg["act_dim"])
    actions_pi, log_prob = actor.action_log_prob(d["obs"], d["noise"])
    log_prob = log_prob.reshape(-1, 1)
    ent_coef = th.exp(log_ent_coef.detach())
    ent_coef_loss = -(log_ent_coef * (log_prob + cfg["target_entropy"]).detach()).mean()
    ent_coef_loss.backward()
    y = targets_of(actor, target, d, ent_coef, cfg["gamma"])
    current_q = critic(d["obs"], d["actions"])
    critic_loss = 0.5 * sum(F.mse_loss(q, y) for q in current_q)
    critic_loss.backward()
    grad_critic = flat([critic.qf0, critic.qf1], grad=True)
    for p in critic.parameters():
        p.requires_grad_(False)  # the critic is frozen in the actor loss
    q_pi = th.cat(critic(d["obs"], actions_pi), dim=1)
    min_q, _ = th.min(q_pi, dim=1, keepdim=True)
    actor_loss = (ent_coef * log_prob - min_q).mean()
    actor_loss.backward()
    return {
        "targets": y.flatten().tolist(),
        "log_prob": log_prob.flatten().tolist(),
        "critic_loss": critic_loss.item(),
        "actor_loss": actor_loss.item(),
        "ent_coef_loss": ent_coef_loss.item(),
        "grad_log_ent_coef": log_ent_coef.grad.item(),
        "grad_critic": grad_critic.tolist(),
        "grad_actor": flat([actor.latent_pi, actor.mu, actor.log_std], grad=True).tolist(),
    }


def steps(cfg):
    actor, critic, target, log_ent_coef = build(cfg)
    lr, eps = cfg["learning_rate"], cfg["adam_eps"]
    actor_opt = th.optim.Adam(actor.parameters(), lr=lr, eps=eps)
    critic_opt = th.optim.Adam(critic.parameters(), lr=lr, eps=eps)
    ent_opt = th.optim.Adam([log_ent_coef], lr=lr)
    out = []
    for i, b in enumerate(cfg["batches"]):
        d = batch_tensors(b, cfg["obs_dim"], cfg["act_dim"])
        actions_pi, log_prob = actor.action_log_prob(d["obs"], d["noise"])
        log_prob = log_prob.reshape(-1, 1)
        ent_coef = th.exp(log_ent_coef.detach())
        ent_coef_loss = -(log_ent_coef * (log_prob + cfg["target_entropy"]).detach()).mean()
        ent_opt.zero_grad()
        ent_coef_loss.backward()
        ent_opt.step()
        y = targets_of(actor, target, d, ent_coef, cfg["gamma"])
        current_q = critic(d["obs"], d["actions"])
        critic_loss = 0.5 * sum(F.mse_loss(q, y) for q in current_q)
        critic_opt.zero_grad()
        critic_loss.backward()
        critic_opt.step()
        q_pi = th.cat(critic(d["obs"], actions_pi), dim=1)
        min_q, _ = th.min(q_pi, dim=1, keepdim=True)
        actor_loss = (ent_coef * log_prob - min_q).mean()
        actor_opt.zero_grad()
        actor_loss.backward()
        actor_opt.step()
        if i % cfg["target_update_interval"] == 0:
            with th.no_grad():
                for tp, p in zip(target.parameters(), critic.parameters()):
                    th.mul(tp.data, 1 - cfg["tau"], out=tp.data)
                    th.add(tp.data, p.data, alpha=cfg["tau"], out=tp.data)
        out.append({
            "actor_loss": actor_loss.item(),
            "critic_loss": critic_loss.item(),
            "ent_coef": ent_coef.item(),
            "ent_coef_loss": ent_coef_loss.item(),
        })
    return {
        "steps": out,
        "actor": flat([actor.latent_pi, actor.mu, actor.log_std]).tolist(),
        "critic": flat([critic.qf0, critic.qf1]).tolist(),
        "critic_target": flat([target.qf0, target.qf1]).tolist(),
        "log_ent_coef": log_ent_coef.item(),
    }


def main():
    cfg = json.load(sys.stdin)
    result = losses(cfg) if cfg["mode"] == "losses" else steps(cfg)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
