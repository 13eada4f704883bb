"""Golden values for cr.optim: runs torch.optim optimizers and lr schedulers in float64 on a fixed
small problem, loss = mean((tanh(X @ W + b) - T)^2), and records W, b and the learning rates after
every step. Writes test/fixtures/optim-golden.json. Run with Debian's /usr/bin/python3 (has torch).
"""

import json
import os

import torch

torch.manual_seed(0)
X = torch.randn(6, 3, dtype=torch.float64)
T = torch.rand(6, 4, dtype=torch.float64)
W0 = torch.randn(3, 4, dtype=torch.float64) * 0.5
B0 = torch.randn(4, dtype=torch.float64) * 0.1

OPTIMIZERS = {
    "SGD": torch.optim.SGD,
    "Adam": torch.optim.Adam,
    "AdamW": torch.optim.AdamW,
    "RMSprop": torch.optim.RMSprop,
    "Adagrad": torch.optim.Adagrad,
}
# chainrule's camelCase option names -> torch's keyword names
KW = {
    "lr": "lr",
    "momentum": "momentum",
    "dampening": "dampening",
    "weightDecay": "weight_decay",
    "nesterov": "nesterov",
    "maximize": "maximize",
    "betas": "betas",
    "eps": "eps",
    "amsgrad": "amsgrad",
    "alpha": "alpha",
    "centered": "centered",
    "lrDecay": "lr_decay",
    "initialAccumulatorValue": "initial_accumulator_value",
    "stepSize": "step_size",
    "gamma": "gamma",
    "tMax": "T_max",
    "etaMin": "eta_min",
    "totalSteps": "total_steps",
    "pctStart": "pct_start",
    "annealStrategy": "anneal_strategy",
    "cycleMomentum": "cycle_momentum",
    "baseMomentum": "base_momentum",
    "maxMomentum": "max_momentum",
    "divFactor": "div_factor",
    "finalDivFactor": "final_div_factor",
    "threePhase": "three_phase",
    "mode": "mode",
    "factor": "factor",
    "patience": "patience",
    "threshold": "threshold",
    "thresholdMode": "threshold_mode",
    "cooldown": "cooldown",
    "minLr": "min_lr",
}


def kw(opts):
    return {KW[k]: (tuple(v) if isinstance(v, list) else v) for k, v in opts.items()}


def loss_fn(W, b):
    return ((torch.tanh(X @ W + b) - T) ** 2).mean()


def run(case):
    W = W0.clone().requires_grad_(True)
    b = B0.clone().requires_grad_(True)
    named = {"W": W, "b": b}
    if "groups" in case:
        params = [dict(kw({k: v for k, v in g.items() if k != "params"}), params=[named[n] for n in g["params"]])
                  for g in case["groups"]]
    else:
        params = [W, b]
    opt = OPTIMIZERS[case["optimizer"]](params, **kw(case.get("options", {})))
    sched = None
    sc = case.get("scheduler")
    if sc:
        cls = getattr(torch.optim.lr_scheduler, sc["type"])
        args = [sc["maxLr"]] if sc["type"] == "OneCycleLR" else []
        sched = cls(opt, *args, **kw(sc.get("options", {})))
    out = {"W": [], "b": [], "lr": [], "momentum": []}
    for i in range(case["steps"]):
        opt.zero_grad()
        loss = loss_fn(W, b)
        loss.backward()
        opt.step()
        if sched is not None:
            if sc["type"] == "ReduceLROnPlateau":
                sched.step(sc["metrics"][i])
            else:
                sched.step()
        out["W"].append(W.detach().flatten().tolist())
        out["b"].append(b.detach().tolist())
        out["lr"].append([g["lr"] for g in opt.param_groups])
        out["momentum"].append([g["betas"][0] if "betas" in g else g.get("momentum", 0) for g in opt.param_groups])
    return out


CASES = [
    {"name": "sgd plain", "optimizer": "SGD", "options": {"lr": 0.1}, "steps": 5},
    {"name": "sgd momentum dampening weightDecay", "optimizer": "SGD",
     "options": {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "weightDecay": 0.01}, "steps": 6},
    {"name": "sgd nesterov", "optimizer": "SGD",
     "options": {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weightDecay": 0.05}, "steps": 6},
    {"name": "sgd maximize", "optimizer": "SGD", "options": {"lr": 0.1, "momentum": 0.5, "maximize": True},
     "steps": 4},
    {"name": "adam", "optimizer": "Adam", "options": {"lr": 0.01}, "steps": 6},
    {"name": "adam amsgrad weightDecay betas", "optimizer": "Adam",
     "options": {"lr": 0.05, "betas": [0.8, 0.9], "eps": 1e-6, "weightDecay": 0.1, "amsgrad": True}, "steps": 6},
    {"name": "adamw", "optimizer": "AdamW", "options": {"lr": 0.02, "weightDecay": 0.1}, "steps": 6},
    {"name": "adamw amsgrad maximize", "optimizer": "AdamW",
     "options": {"lr": 0.02, "amsgrad": True, "maximize": True}, "steps": 5},
    {"name": "rmsprop", "optimizer": "RMSprop", "options": {"lr": 0.01}, "steps": 5},
    {"name": "rmsprop centered momentum weightDecay", "optimizer": "RMSprop",
     "options": {"lr": 0.01, "alpha": 0.9, "centered": True, "momentum": 0.5, "weightDecay": 0.02}, "steps": 6},
    {"name": "adagrad", "optimizer": "Adagrad", "options": {"lr": 0.1}, "steps": 5},
    {"name": "adagrad lrDecay accumulator weightDecay", "optimizer": "Adagrad",
     "options": {"lr": 0.1, "lrDecay": 0.05, "initialAccumulatorValue": 0.1, "weightDecay": 0.01, "eps": 1e-8},
     "steps": 5},
    {"name": "sgd param groups", "optimizer": "SGD", "options": {"lr": 0.1, "momentum": 0.9},
     "groups": [{"params": ["W"], "lr": 0.05}, {"params": ["b"], "momentum": 0.0}], "steps": 5},
    {"name": "adam param groups", "optimizer": "Adam", "options": {"lr": 0.01},
     "groups": [{"params": ["W"], "weightDecay": 0.1}, {"params": ["b"], "lr": 0.03, "amsgrad": True}],
     "steps": 5},
    {"name": "StepLR", "optimizer": "SGD", "options": {"lr": 0.2, "momentum": 0.9},
     "scheduler": {"type": "StepLR", "options": {"stepSize": 2, "gamma": 0.5}}, "steps": 7},
    {"name": "ExponentialLR", "optimizer": "Adam", "options": {"lr": 0.05},
     "scheduler": {"type": "ExponentialLR", "options": {"gamma": 0.8}}, "steps": 6},
    {"name": "CosineAnnealingLR past tMax", "optimizer": "SGD", "options": {"lr": 0.1},
     "scheduler": {"type": "CosineAnnealingLR", "options": {"tMax": 3, "etaMin": 0.01}}, "steps": 10},
    {"name": "OneCycleLR sgd cos", "optimizer": "SGD", "options": {"lr": 0.1, "momentum": 0.9},
     "scheduler": {"type": "OneCycleLR", "maxLr": 0.5, "options": {"totalSteps": 10}}, "steps": 10},
    {"name": "OneCycleLR adam linear three phase", "optimizer": "Adam", "options": {"lr": 0.01},
     "scheduler": {"type": "OneCycleLR", "maxLr": 0.05,
                   "options": {"totalSteps": 12, "annealStrategy": "linear", "threePhase": True, "pctStart": 0.25}},
     "steps": 12},
    {"name": "ReduceLROnPlateau min rel", "optimizer": "SGD", "options": {"lr": 0.1},
     "scheduler": {"type": "ReduceLROnPlateau", "options": {"patience": 1, "factor": 0.5, "cooldown": 1},
                   "metrics": [1.0, 0.9, 0.95, 0.96, 0.97, 0.5, 0.6, 0.7, 0.8]}, "steps": 9},
    {"name": "ReduceLROnPlateau max abs minLr", "optimizer": "Adam", "options": {"lr": 0.01},
     "scheduler": {"type": "ReduceLROnPlateau",
                   "options": {"mode": "max", "thresholdMode": "abs", "threshold": 0.05, "patience": 0,
                               "factor": 0.3, "minLr": 0.002},
                   "metrics": [0.5, 0.52, 0.6, 0.61, 0.62, 0.7, 0.7]}, "steps": 7},
]


def main():
    out = {
        "torch": torch.__version__,
        "problem": {"X": X.tolist(), "T": T.tolist(), "W": W0.tolist(), "b": B0.tolist()},
        "cases": [dict(case, expected=run(case)) for case in CASES],
    }
    path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "optim-golden.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print(f"wrote {os.path.normpath(path)} ({len(CASES)} cases)")


if __name__ == "__main__":
    main()
