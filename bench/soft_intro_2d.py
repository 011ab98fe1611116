"""The 2-D Soft-IntroVAE training iteration written in plain PyTorch, the way the authors' code
does it (soft_intro_vae_2d: encoder step, then decoder step with the encoder frozen through
requires_grad toggles, the same noise batch in both steps, MultiStepLR), for a side-by-side
timing against the C# implementation on the same libtorch, threads and BLAS.

The C# counterpart is `Microsoft.ML.Vae.Bench --case soft-intro-2d` (same flags, same JSON keys);
bench/soft_intro_compare.sh runs the two alternately.

With --prior mog the prior is a learned mixture of 64 Gaussians (free means and log-variances,
weights softmax(v), v = 0 at the start, components set from the untrained encoder on 64 samples before
the clock starts) trained as a third player as in the authors' prior-learning code (algorithms spec
§3.1-3.3), matching the C# `--prior mog` run (no variance clipping, responsibility weight 0): Monte-Carlo
KLs with 100 samples and the plain broadcast mixture log-density; a joint warm-up step; an encoder step
against the frozen prior with fakes drawn from it; a decoder + prior step that redraws the same fakes
with gradient to the prior, trains the prior on the detached real posterior and uses the stop-gradient
prior as the fakes' and reconstructions' KL target; one Adam + MultiStepLR per player.
--log-every N prints the losses to stderr every N iterations (default 0: never).

usage: /usr/bin/python3 bench/soft_intro_2d.py --iters 30000 --threads 2 [--warmup 2000] [--seed 0] [--batch 512]
                                                [--prior standard|mog] [--log-every N]
prints one JSON line: {"side": "pytorch", "prior": ..., "iters": ..., "seconds": ..., "msPerIter": ...,
                       "warmupSeconds": ..., "introSeconds": ..., "msPer1000Intro": ..., "peakRssMiB": ...}
"""
import argparse
import json
import math
import os
import sys
import time

import torch_env  # noqa: E402  (the C# binding's environment defaults, before torch loads)

torch_env.prepare()

import torch  # noqa: E402  (after the environment is prepared)
import torch.nn as nn  # noqa: E402


def mlp(inp, out, hidden=256, layers=4):
    mods, d = [], inp
    for _ in range(layers):
        mods += [nn.Linear(d, hidden), nn.ReLU()]
        d = hidden
    mods.append(nn.Linear(d, out))
    return nn.Sequential(*mods)


class SoftIntroVae2d(nn.Module):
    def __init__(self, zdim=2):
        super().__init__()
        self.zdim = zdim
        self.encoder = mlp(2, 2 * zdim)
        self.decoder = mlp(zdim, 2)

    def encode(self, x):
        mu, logvar = self.encoder(x).chunk(2, dim=1)
        return mu, logvar

    def forward(self, x):
        mu, logvar = self.encode(x)
        z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
        return mu, logvar, z, self.decoder(z)


def kl(logvar, mu, reduce="mean"):
    k = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(1)
    return k.mean() if reduce == "mean" else k


def sse(x, y, reduce="mean"):
    e = (x - y).pow(2).sum(1)
    return e.mean() if reduce == "mean" else e


class MixturePrior(nn.Module):
    """p(z) = sum_k w_k N(z; mu_k, diag exp(lv_k)) with w = softmax(logits)."""

    def __init__(self, components=64, zdim=2):
        super().__init__()
        self.mu = nn.Parameter(torch.zeros(components, zdim))
        self.logvar = nn.Parameter(torch.zeros(components, zdim))
        self.logits = nn.Parameter(torch.zeros(components))

    def params(self):
        return self.mu, self.logvar, torch.log_softmax(self.logits, 0)

    def draw(self, n):
        """Component indices k ~ Cat(w) and standard-normal noise for n prior samples."""
        with torch.no_grad():
            k = torch.multinomial(torch.softmax(self.logits, 0), n, replacement=True)
        return k, torch.randn(n, self.mu.size(1))

    def latents(self, k, eps):
        return self.mu[k] + (0.5 * self.logvar[k]).exp() * eps


def mixture_log_density(z, mu, logvar, logw):
    """log sum_k w_k N(z; mu_k, exp(lv_k)) without the -d/2 log 2pi constant, per row of z [N, d]."""
    log_p = (-0.5 * logvar[None] - 0.5 * (z[:, None, :] - mu[None]) ** 2 / logvar.exp()[None]).sum(2) + logw[None]
    return torch.logsumexp(log_p, 1)


def mc_kl(mu, logvar, prior, mc=100, reduce="mean"):
    """Monte-Carlo KL(q(z|x) || prior) with mc samples per posterior; prior = (mu_k, lv_k, log w_k)."""
    mu_s, lv_s = mu.repeat(mc, 1), logvar.repeat(mc, 1)
    z = mu_s + torch.randn_like(mu_s) * (0.5 * lv_s).exp()
    log_q = (-0.5 * lv_s - 0.5 * (z - mu_s) ** 2 / lv_s.exp()).sum(1)
    k = (log_q - mixture_log_density(z, *prior)).view(mc, -1).mean(0)
    return k.mean() if reduce == "mean" else k


def eight_gaussians(n):
    s = 1.0 / math.sqrt(2)
    centers = torch.tensor([(1, 0), (-1, 0), (0, 1), (0, -1), (s, s), (-s, s), (s, -s), (-s, -s)]) * 2
    idx = torch.randint(0, 8, (n,))
    return (centers[idx] + 0.02 * torch.randn(n, 2)) / 1.414


def peak_rss_mib():
    """VmHWM of this process in MiB (None where /proc is not available)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def loaded_blas():
    """The BLAS/LAPACK files this process has mapped."""
    found = set()
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as f:
            for line in f:
                i = line.find("/")
                if i >= 0:
                    path = line[i:].strip()
                    name = os.path.basename(path).lower()
                    if "blas" in name or "lapack" in name:
                        found.add(path)
    except OSError:
        pass
    return sorted(found)


def train_standard(model, opt_e, opt_d, sch_e, sch_d, a, betas):
    """The N(0, I) prior: closed-form KL; returns the clock at the start, at the end of the warm-up and at the end."""
    beta_kl, beta_rec, beta_neg, gamma_r, scale = betas
    start = time.perf_counter()
    warmup_end = start
    for it in range(a.iters):
        if it == a.warmup:
            warmup_end = time.perf_counter()
        x = eight_gaussians(a.batch)
        if it < a.warmup:
            mu, logvar, z, rec = model(x)
            loss = beta_rec * sse(x, rec) + beta_kl * kl(logvar, mu)
            opt_e.zero_grad(); opt_d.zero_grad()
            loss.backward()
            opt_e.step(); opt_d.step()
        else:
            noise = torch.randn(a.batch, model.zdim)
            # encoder step
            for q in model.encoder.parameters(): q.requires_grad = True
            for q in model.decoder.parameters(): q.requires_grad = False
            fake = model.decoder(noise)
            mu, logvar, z, rec = model(x)
            loss_rec = sse(x, rec)
            kl_real = kl(logvar, mu)
            rmu, rlv, _, rec_rec = model(rec.detach())
            fmu, flv, _, rec_fake = model(fake.detach())
            e_rec = beta_rec * sse(rec, rec_rec, "none") + beta_neg * kl(rlv, rmu, "none")
            e_fake = beta_rec * sse(fake, rec_fake, "none") + beta_neg * kl(flv, fmu, "none")
            loss_e = scale * (beta_rec * loss_rec + beta_kl * kl_real) + 0.25 * (
                (-2 * scale * e_rec).exp().mean() + (-2 * scale * e_fake).exp().mean())
            opt_e.zero_grad()
            loss_e.backward()
            opt_e.step()
            # decoder step
            for q in model.encoder.parameters(): q.requires_grad = False
            for q in model.decoder.parameters(): q.requires_grad = True
            fake = model.decoder(noise)
            rec = model.decoder(z.detach())
            loss_rec = sse(x, rec)
            rmu, rlv = model.encode(rec)
            fmu, flv = model.encode(fake)
            zr = rmu + torch.randn_like(rmu) * (0.5 * rlv).exp()
            zf = fmu + torch.randn_like(fmu) * (0.5 * flv).exp()
            rec_rec = model.decoder(zr.detach())
            rec_fake = model.decoder(zf.detach())
            loss_d = scale * (beta_rec * loss_rec + 0.5 * beta_kl * (kl(rlv, rmu) + kl(flv, fmu))
                              + gamma_r * 0.5 * beta_rec * (sse(rec.detach(), rec_rec) + sse(fake.detach(), rec_fake)))
            opt_d.zero_grad()
            loss_d.backward()
            opt_d.step()
            if torch.isnan(loss_e) or torch.isnan(loss_d):
                raise RuntimeError("loss is NaN")
        sch_e.step(); sch_d.step()
        if a.log_every and (it + 1) % a.log_every == 0:
            log_losses(it, {"loss": loss} if it < a.warmup else
                       {"loss_e": loss_e, "loss_d": loss_d, "rec": loss_rec, "kl_real": kl_real})
    return start, warmup_end, time.perf_counter()


def train_mog(model, opt_e, opt_d, sch_e, sch_d, a, betas, components=64, mc=100, alpha=2.0, gamma=1.0):
    """The learned mixture prior as a third player (spec §3.3); returns the clocks as train_standard does."""
    beta_kl, beta_rec, beta_neg, gamma_r, scale = betas
    prior = MixturePrior(components, model.zdim)
    # "data" initialization from the untrained encoder on the first K samples of one batch (set-up, not timed).
    with torch.no_grad():
        m0, lv0 = model.encode(eight_gaussians(a.batch)[:components])
        prior.mu.copy_(m0); prior.logvar.copy_(lv0)
    opt_p = torch.optim.Adam(prior.parameters(), lr=2e-4, betas=(0.9, 0.999))
    sch_p = torch.optim.lr_scheduler.MultiStepLR(opt_p, milestones=(10000, 15000), gamma=0.1)
    start = time.perf_counter()
    warmup_end = start
    for it in range(a.iters):
        if it == a.warmup:
            warmup_end = time.perf_counter()
        x = eight_gaussians(a.batch)
        if it < a.warmup:
            # plain VAE with the Monte-Carlo KL to the live prior: one backward, every player steps
            mu, logvar, z, rec = model(x)
            loss_rec = sse(x, rec)
            kl_real = mc_kl(mu, logvar, prior.params(), mc)
            loss = beta_rec * loss_rec + beta_kl * kl_real
            opt_e.zero_grad(); opt_d.zero_grad(); opt_p.zero_grad()
            loss.backward()
            opt_e.step(); opt_d.step(); opt_p.step()
        else:
            comp, noise = prior.draw(a.batch)
            # encoder step: decoder and prior frozen
            for q in model.encoder.parameters(): q.requires_grad = True
            for q in model.decoder.parameters(): q.requires_grad = False
            for q in prior.parameters(): q.requires_grad = False
            target = prior.params()
            fake = model.decoder(prior.latents(comp, noise))
            mu, logvar, z, rec = model(x)
            loss_rec = sse(x, rec)
            kl_real = mc_kl(mu, logvar, target, mc)
            rmu, rlv, _, rec_rec = model(rec.detach())
            fmu, flv, _, rec_fake = model(fake.detach())
            e_rec = beta_rec * sse(rec, rec_rec, "none") + beta_neg * mc_kl(rmu, rlv, target, mc, "none")
            e_fake = beta_rec * sse(fake, rec_fake, "none") + beta_neg * mc_kl(fmu, flv, target, mc, "none")
            loss_e = scale * (beta_rec * loss_rec + beta_kl * kl_real) + (1 / alpha) * 0.5 * (
                (-alpha * scale * e_fake).exp().mean() + (-alpha * scale * e_rec).exp().mean())
            opt_e.zero_grad()
            loss_e.backward()
            opt_e.step()
            # decoder + prior step: encoder frozen; the same fakes, now with gradient to mu_k and lv_k
            for q in model.encoder.parameters(): q.requires_grad = False
            for q in model.decoder.parameters(): q.requires_grad = True
            for q in prior.parameters(): q.requires_grad = True
            live = prior.params()
            target = tuple(t.detach() for t in live)
            fake = model.decoder(prior.latents(comp, noise))
            rec = model.decoder(z.detach())
            loss_rec = sse(x, rec)
            rmu, rlv = model.encode(rec)
            fmu, flv = model.encode(fake)
            zr = rmu + torch.randn_like(rmu) * (0.5 * rlv).exp()
            zf = fmu + torch.randn_like(fmu) * (0.5 * flv).exp()
            rec_rec = model.decoder(zr.detach())
            rec_fake = model.decoder(zf.detach())
            kl_prior = mc_kl(mu.detach(), logvar.detach(), live, mc)
            kl_rec = mc_kl(rmu, rlv, target, mc)
            kl_fake = mc_kl(fmu, flv, target, mc)
            loss_d = scale * (beta_rec * loss_rec + beta_kl * kl_prior + gamma * beta_kl * 0.5 * (kl_rec + kl_fake)
                              + gamma * gamma_r * beta_rec * 0.5 * (sse(rec.detach(), rec_rec) + sse(fake.detach(), rec_fake)))
            opt_d.zero_grad(); opt_p.zero_grad()
            loss_d.backward()
            opt_d.step(); opt_p.step()
            if torch.isnan(loss_e) or torch.isnan(loss_d):
                raise RuntimeError("loss is NaN")
        sch_e.step(); sch_d.step(); sch_p.step()
        if a.log_every and (it + 1) % a.log_every == 0:
            log_losses(it, {"loss": loss, "rec": loss_rec, "kl": kl_real} if it < a.warmup else
                       {"loss_e": loss_e, "loss_d": loss_d, "rec": loss_rec, "kl_real": kl_real,
                        "kl_fake": kl_fake, "kl_prior": kl_prior})
    return start, warmup_end, time.perf_counter()


def log_losses(it, terms):
    print(f"it {it + 1}: " + " ".join(f"{n} {float(v):.5g}" for n, v in terms.items()), file=sys.stderr)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--iters", type=int, default=30000)
    p.add_argument("--warmup", type=int, default=2000, help="plain-VAE iterations (num_vae)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=512)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--prior", choices=("standard", "mog"), default="standard",
                   help="N(0, I) or a learned 64-component mixture trained as a third player")
    p.add_argument("--log-every", type=int, default=0, help="print the losses to stderr every N iterations (0: never)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    betas = (0.3, 0.2, 0.9, 1e-8, 0.5)  # beta_kl, beta_rec, beta_neg, gamma_r, scale
    model = SoftIntroVae2d()
    opt_e = torch.optim.Adam(model.encoder.parameters(), lr=2e-4)
    opt_d = torch.optim.Adam(model.decoder.parameters(), lr=2e-4)
    sch_e = torch.optim.lr_scheduler.MultiStepLR(opt_e, milestones=(10000, 15000), gamma=0.1)
    sch_d = torch.optim.lr_scheduler.MultiStepLR(opt_d, milestones=(10000, 15000), gamma=0.1)
    train = train_mog if a.prior == "mog" else train_standard
    start, warmup_end, end = train(model, opt_e, opt_d, sch_e, sch_d, a, betas)
    seconds = end - start
    warmup = min(a.warmup, a.iters)
    warmup_seconds = (warmup_end - start) if warmup < a.iters else seconds
    intro = a.iters - warmup
    print(json.dumps({
        "side": "pytorch", "case": "soft-intro-2d", "data": "8gaussians", "prior": a.prior,
        "iters": a.iters, "warmup": warmup, "threads": torch.get_num_threads(), "batch": a.batch, "seed": a.seed,
        "seconds": round(seconds, 3), "msPerIter": round(1000 * seconds / a.iters, 4),
        "warmupSeconds": round(warmup_seconds, 3), "introSeconds": round(seconds - warmup_seconds, 3),
        "msPer1000Intro": round(1e6 * (seconds - warmup_seconds) / intro, 1) if intro > 0 else None,
        "peakRssMiB": peak_rss_mib(), "torch": torch.__version__, "blas": loaded_blas(),
        "ompWaitPolicy": os.environ.get("OMP_WAIT_POLICY", "(unset)"),
        "gompSpinCount": os.environ.get("GOMP_SPINCOUNT", "(unset)"),
        "openBlasCoreType": os.environ.get("OPENBLAS_CORETYPE", "(unset)")}))


if __name__ == "__main__":
    main()
