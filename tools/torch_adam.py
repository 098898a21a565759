"""Oracle for tests/compute/adam.test.ts: torch.optim.Adam (single-tensor, float32) run on the
parameters, gradients and learning rates given on stdin as JSON; prints the parameters."""
import json
import sys

import torch

d = json.load(sys.stdin)
p = torch.nn.Parameter(torch.tensor(d["params"], dtype=torch.float32))
opt = torch.optim.Adam([p], lr=1.0, betas=(0.9, 0.999), eps=d["eps"], foreach=False)
for g, lr in zip(d["grads"], d["lrs"]):
    opt.param_groups[0]["lr"] = lr
    p.grad = torch.tensor(g, dtype=torch.float32)
    opt.step()
print(json.dumps(p.detach().double().tolist()))
