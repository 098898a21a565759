"""SB3 1.8.0's PPO mini-batch loss in PyTorch, for cross-checking pgsubspace's PPO losses.

Reads one JSON object (or a list of them) on stdin (network geometry, flat actor/critic parameter vectors in
pgsubspace's block order, a mini-batch and the loss coefficients), builds the networks the way
SB3's MlpPolicy does (Linear/Tanh|ReLU Sequential, action_net, value_net, log_std parameter),
evaluates the loss exactly as ``PPO.train`` does for one mini-batch, back-propagates, and prints
the loss terms and the flat gradients (same block order) as JSON (a list for a list).

pgsubspace's weight blocks are [in, out] (y = x W + b), i.e. torch's ``weight.T``.
Written for pgsubspace's tests; not a dependency.
"""
import json
import sys

import torch as th
import torch.nn.functional as F
from torch import nn


def build_mlp(dims, activation):
    layers = []
    for i in range(len(dims) - 1):
        layers.append(nn.Linear(dims[i], dims[i + 1]))
        if i < len(dims) - 2:
            layers.append(nn.Tanh() if activation == "tanh" else nn.ReLU())
    return nn.Sequential(*layers)


def load_flat(seq, flat, offset):
    """Copies [W (in x out), b] blocks into the Linear layers; returns the new offset."""
    for layer in seq:
        if not isinstance(layer, nn.Linear):
            continue
        fan_in, fan_out = layer.in_features, layer.out_features
        w = th.tensor(flat[offset:offset + fan_in * fan_out], dtype=th.float32)
        offset += fan_in * fan_out
        b = th.tensor(flat[offset:offset + fan_out], dtype=th.float32)
        offset += fan_out
        with th.no_grad():
            layer.weight.copy_(w.reshape(fan_in, fan_out).T)
            layer.bias.copy_(b)
    return offset


def flat_grad(seq):
    parts = []
    for layer in seq:
        if isinstance(layer, nn.Linear):
            parts.append(layer.weight.grad.T.reshape(-1))
            parts.append(layer.bias.grad.reshape(-1))
    return parts


def evaluate(cfg):
    obs_dim, act_dim, hidden = cfg["obs_dim"], cfg["act_dim"], cfg["hidden"]
    pi = build_mlp([obs_dim, *hidden, act_dim], cfg["activation"])
    vf = build_mlp([obs_dim, *hidden, 1], cfg["activation"])
    off = load_flat(pi, cfg["actor"], 0)
    log_std = nn.Parameter(th.tensor(cfg["actor"][off:off + act_dim], dtype=th.float32))
    load_flat(vf, cfg["critic"], 0)

    b = cfg["batch"]
    n = len(b["returns"])
    obs = th.tensor(b["obs"], dtype=th.float32).reshape(n, obs_dim)
    actions = th.tensor(b["actions"], dtype=th.float32).reshape(n, act_dim)
    old_log_prob = th.tensor(b["old_log_prob"], dtype=th.float32)
    advantages = th.tensor(b["advantages"], dtype=th.float32)
    returns = th.tensor(b["returns"], dtype=th.float32)
    old_values = th.tensor(b["old_values"], dtype=th.float32)
    clip_range, clip_range_vf = cfg["clip_range"], cfg["clip_range_vf"]

    # policy.evaluate_actions: DiagGaussianDistribution, log-prob and entropy summed over dims.
    mean_actions = pi(obs)
    dist = th.distributions.Normal(mean_actions, th.ones_like(mean_actions) * log_std.exp())
    log_prob = dist.log_prob(actions).sum(dim=1)
    entropy = dist.entropy().sum(dim=1)
    values = vf(obs).flatten()

    # PPO.train, one mini-batch.
    if cfg["normalize_advantage"] and len(advantages) > 1:
        advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)
    ratio = th.exp(log_prob - old_log_prob)
    policy_loss_1 = advantages * ratio
    policy_loss_2 = advantages * th.clamp(ratio, 1 - clip_range, 1 + clip_range)
    policy_loss = -th.min(policy_loss_1, policy_loss_2).mean()
    if clip_range_vf is None:
        values_pred = values
    else:
        values_pred = old_values + th.clamp(values - old_values, -clip_range_vf, clip_range_vf)
    value_loss = F.mse_loss(returns, values_pred)
    entropy_loss = -th.mean(entropy)
    loss = policy_loss + cfg["ent_coef"] * entropy_loss + cfg["vf_coef"] * value_loss
    loss.backward()

    grad_actor = th.cat([*flat_grad(pi), log_std.grad.reshape(-1)])
    grad_critic = th.cat(flat_grad(vf))
    return {
        "loss": loss.item(),
        "policy_loss": policy_loss.item(),
        "value_loss": value_loss.item(),
        "entropy_loss": entropy_loss.item(),
        "grad_actor": grad_actor.tolist(),
        "grad_critic": grad_critic.tolist(),
    }


def main():
    cfg = json.load(sys.stdin)
    out = [evaluate(c) for c in cfg] if isinstance(cfg, list) else evaluate(cfg)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
