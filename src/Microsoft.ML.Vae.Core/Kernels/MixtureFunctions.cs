using TorchSharp;
using static TorchSharp.torch;
using AutogradContext = TorchSharp.torch.autograd.AutogradContext;

namespace Microsoft.ML.Vae.Core.Kernels;

/// <summary>
/// The fused mixture ops as TorchSharp custom autograd functions over <see cref="MixtureComputation"/>.
/// </summary>
/// <remarks>
/// <para>TorchSharp has no <c>needs_input_grad</c>: the callers pass, as a bool[] argument, which inputs
/// will need a gradient (grad mode on and the input requiring grad when the op is applied), and the
/// backward passes compute and return only those.</para>
/// <para>A backward pass runs inside a native callback, where a managed exception would end the process.
/// So nothing here throws in backward: a backward pass that itself records a graph (create_graph, for
/// higher-order gradients) is answered by autograd of the generic formulation (<see cref="GenericMixture"/>)
/// on the saved inputs, so second derivatives are exact rather than silently zero.</para>
/// <para>Tensors made in a backward pass land in the caller's dispose scope (the returned gradients must
/// outlive the callback); the temporaries are disposed before it returns.</para>
/// </remarks>
internal static class MixtureFunctions
{
    /// <summary>Input i needs a gradient: grad mode is on and it requires grad.</summary>
    public static bool[] NeedsGrad(params Tensor[] inputs)
    {
        bool recording = torch.is_grad_enabled();
        return inputs.Select(t => recording && t.requires_grad).ToArray();
    }

    /// <summary>The tensor, or null when the autograd engine passed an undefined one.</summary>
    internal static Tensor? Defined(List<Tensor> grads, int i) =>
        i < grads.Count && grads[i] is { IsInvalid: false } g ? g : null;

    /// <summary>Disposes the cotangent wrappers TorchSharp made for this callback (their tensors live on natively where still used).</summary>
    internal static void Release(List<Tensor> grads)
    {
        foreach (var g in grads) g?.Dispose();
    }

    /// <summary>
    /// Gradients of Σ outputs_i · cotangents_i with respect to the inputs flagged in <paramref name="need"/>,
    /// recorded for higher-order differentiation; null for the others. The outputs come from the generic
    /// formulation of the saved inputs.
    /// </summary>
    internal static List<Tensor?> GenericGradients(IReadOnlyList<Tensor> inputs, bool[] need, IList<Tensor> outputs, IList<Tensor> cotangents, int resultCount)
    {
        var result = new List<Tensor?>(new Tensor?[resultCount]);
        var wanted = Enumerable.Range(0, inputs.Count).Where(i => need[i]).ToArray();
        if (wanted.Length == 0 || outputs.Count == 0) return result;
        // retain_graph: the returned gradients' own graph reads the saved values of this generic graph
        // (TorchSharp does not default retain_graph to create_graph as PyTorch does).
        var grads = torch.autograd.grad(outputs, wanted.Select(i => inputs[i]).ToList(), cotangents, retain_graph: true, create_graph: true, allow_unused: true);
        for (int w = 0; w < wanted.Length; w++)
            result[wanted[w]] = grads[w] is { IsInvalid: false } g ? g.MoveToOuterDisposeScope() : null;
        return result;
    }
}

/// <summary>
/// log Σ_k exp(logWeights_k) N(z_n; means_k, diag exp(logVars_k)) without the −(d/2)·log 2π constant, [N], and
/// optionally the mean responsibility of every component, [K]. Arguments: z, means, logVars, logWeights
/// (float32 CPU), withUsage (bool), need (bool[4]: which of the four tensors need a gradient).
/// </summary>
internal sealed class MixtureLogSumExpFunction : torch.autograd.MultiTensorFunction<MixtureLogSumExpFunction>
{
    public override string Name => "MixtureLogSumExp";

    public override List<Tensor> forward(AutogradContext ctx, params object[] vars)
    {
        var (z, means, logVars, logWeights) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (Tensor)vars[3]);
        bool withUsage = (bool)vars[4];
        using var zc = z.contiguous();
        using var layout = MixtureComputation.Prepare(means, logVars, logWeights);
        var (lse, usage) = MixtureComputation.Forward(zc, layout, withUsage);
        ctx.set_materialize_grads(false);
        ctx.save_data("withUsage", withUsage);
        ctx.save_data("need", vars[5]);
        ctx.save_for_backward(new List<Tensor> { z, means, logVars, logWeights, lse });
        return withUsage ? new List<Tensor> { lse, usage! } : new List<Tensor> { lse };
    }

    public override List<Tensor> backward(AutogradContext ctx, List<Tensor> grad_outputs)
    {
        try
        {
            bool withUsage = (bool)ctx.get_data("withUsage");
            var need = (bool[])ctx.get_data("need");
            var gLse = MixtureFunctions.Defined(grad_outputs, 0);
            var gUsage = withUsage ? MixtureFunctions.Defined(grad_outputs, 1) : null;
            var result = new List<Tensor?>(new Tensor?[6]);
            if ((gLse is null && gUsage is null) || !need.Any(x => x)) return result!;
            using var scope = torch.NewDisposeScope();
            var saved = ctx.get_saved_variables();
            var (z, means, logVars, logWeights, lse) = (saved[0], saved[1], saved[2], saved[3], saved[4]);
            if (torch.is_grad_enabled())
            {
                // A backward pass that records a graph (create_graph): exact higher-order gradients from the generic formulation.
                var joint = GenericMixture.Joint(z, means, logVars, logWeights);
                var outputs = new List<Tensor>();
                var cotangents = new List<Tensor>();
                if (gLse is not null) { outputs.Add(joint.logsumexp(1)); cotangents.Add(gLse); }
                if (gUsage is not null) { outputs.Add(joint.softmax(1).mean(new long[] { 0 })); cotangents.Add(gUsage); }
                return MixtureFunctions.GenericGradients(new[] { z, means, logVars, logWeights }, need, outputs, cotangents, 6)!;
            }
            bool needParams = need[1] || need[2] || need[3];
            using var zc = z.contiguous();
            using var layout = MixtureComputation.Prepare(means, logVars, logWeights);
            var (gz, gm, gl, gw) = MixtureComputation.Backward(zc, layout, lse, gLse, gUsage, need[0], needParams);
            Tensor?[] grads = [gz, gm, gl, gw];
            for (int i = 0; i < 4; i++)
                result[i] = need[i] ? grads[i]!.MoveToOuterDisposeScope() : null;
            return result!;
        }
        finally
        {
            MixtureFunctions.Release(grad_outputs);
        }
    }
}

/// <summary>
/// (1/M) Σ_m log p(μ_b + σ_b ⊙ ε_mb) for every posterior b, [B], and the mean responsibilities over the B·M
/// samples, [K]: the mixture term of a Monte-Carlo KL with the usage output, with the reparameterized samples
/// formed and differentiated here instead of as a chain of tensor ops. Arguments: postMean, postLogVar,
/// noise, means, logVars, logWeights (float32 CPU), need (bool[6]).
/// </summary>
internal sealed unsafe class MixtureMonteCarloFunction : torch.autograd.MultiTensorFunction<MixtureMonteCarloFunction>
{
    public override string Name => "MixtureMonteCarlo";

    public override List<Tensor> forward(AutogradContext ctx, params object[] vars)
    {
        var postMean = (Tensor)vars[0];
        var postLogVar = (Tensor)vars[1];
        var noise = (Tensor)vars[2];
        var (means, logVars, logWeights) = ((Tensor)vars[3], (Tensor)vars[4], (Tensor)vars[5]);
        long m = noise.size(0), b = postMean.size(0), d = postMean.size(1);
        using var mu = postMean.contiguous();
        using var halfLogVar = postLogVar * 0.5;
        var std = halfLogVar.exp_().contiguous();
        var eps = noise.contiguous();
        // z = μ + σ ε as rows [M·B, d], sample-major.
        var z = torch.empty(new[] { m * b, d }, ScalarType.Float32);
        float* zp = FusedKernelSupport.FloatPointer(z), mp = FusedKernelSupport.FloatPointer(mu);
        float* sp = FusedKernelSupport.FloatPointer(std), ep = FusedKernelSupport.FloatPointer(eps);
        long noiseRows = noise.size(1), rowStride = noiseRows == 1 ? 0 : d;
        for (long s = 0; s < m; s++)
            for (long i = 0; i < b; i++)
                for (long j = 0; j < d; j++)
                    zp[(s * b + i) * d + j] = mp[i * d + j] + sp[i * d + j] * ep[s * noiseRows * d + i * rowStride + j];
        using var layout = MixtureComputation.Prepare(means, logVars, logWeights);
        var (lse, usage) = MixtureComputation.Forward(z, layout, withUsage: true);
        var meanLse = torch.empty(new[] { b }, ScalarType.Float32);
        float* lp = FusedKernelSupport.FloatPointer(lse), op = FusedKernelSupport.FloatPointer(meanLse);
        for (long i = 0; i < b; i++)
        {
            double sum = 0;
            for (long s = 0; s < m; s++) sum += lp[s * b + i];
            op[i] = (float)(sum / m);
        }
        ctx.set_materialize_grads(false);
        ctx.save_data("need", vars[6]);
        ctx.save_for_backward(new List<Tensor> { z, lse, std, eps, postMean, postLogVar, noise, means, logVars, logWeights });
        return new List<Tensor> { meanLse, usage! };
    }

    public override List<Tensor> backward(AutogradContext ctx, List<Tensor> grad_outputs)
    {
        try
        {
            var need = (bool[])ctx.get_data("need");
            var gMean = MixtureFunctions.Defined(grad_outputs, 0);
            var gUsage = MixtureFunctions.Defined(grad_outputs, 1);
            var result = new List<Tensor?>(new Tensor?[7]);
            if ((gMean is null && gUsage is null) || !need.Any(x => x)) return result!;
            using var scope = torch.NewDisposeScope();
            var saved = ctx.get_saved_variables();
            var (z, lse, std, eps) = (saved[0], saved[1], saved[2], saved[3]);
            Tensor[] inputs = [saved[4], saved[5], saved[6], saved[7], saved[8], saved[9]];
            if (torch.is_grad_enabled())
            {
                // A backward pass that records a graph (create_graph): exact higher-order gradients from the generic formulation.
                var samples = GenericMixture.MonteCarloSamples(inputs[0], inputs[1], inputs[2]);
                var joint = GenericMixture.Joint(samples, inputs[3], inputs[4], inputs[5]);
                var outputs = new List<Tensor>();
                var cotangents = new List<Tensor>();
                long bRows = inputs[0].size(0);
                if (gMean is not null) { outputs.Add(joint.logsumexp(1).view(new[] { -1, bRows }).mean(new long[] { 0 })); cotangents.Add(gMean); }
                if (gUsage is not null) { outputs.Add(joint.softmax(1).mean(new long[] { 0 })); cotangents.Add(gUsage); }
                return MixtureFunctions.GenericGradients(inputs, need, outputs, cotangents, 7)!;
            }
            long n = z.size(0), b = std.size(0), d = std.size(1), m = n / b;
            bool needPost = need[0] || need[1], needParams = need[3] || need[4] || need[5];
            Tensor? gRows = null;
            if (gMean is not null)
            {
                // Each sample's lse enters its posterior's mean with weight 1/M.
                using var gc = gMean.contiguous();
                gRows = torch.empty(new[] { n }, ScalarType.Float32);
                float* gp = FusedKernelSupport.FloatPointer(gc), rp = FusedKernelSupport.FloatPointer(gRows);
                for (long s = 0; s < m; s++)
                    for (long i = 0; i < b; i++) rp[s * b + i] = gp[i] / m;
            }
            using var layout = MixtureComputation.Prepare(inputs[3], inputs[4], inputs[5]);
            var (gz, gm, gl, gw) = MixtureComputation.Backward(z, layout, lse, gRows, gUsage, needPost, needParams);
            if (needPost)
            {
                // z = μ + σ ε: ∂/∂μ sums the samples' gradients, ∂/∂lv = Σ_m g_z · ε · σ/2.
                var gPostMean = torch.empty(new[] { b, d }, ScalarType.Float32);
                var gPostLogVar = torch.empty(new[] { b, d }, ScalarType.Float32);
                float* gzp = FusedKernelSupport.FloatPointer(gz!), ep = FusedKernelSupport.FloatPointer(eps), sp = FusedKernelSupport.FloatPointer(std);
                float* gmp = FusedKernelSupport.FloatPointer(gPostMean), glp = FusedKernelSupport.FloatPointer(gPostLogVar);
                long noiseRows = eps.size(1), rowStride = noiseRows == 1 ? 0 : d;
                for (long i = 0; i < b; i++)
                    for (long j = 0; j < d; j++)
                    {
                        double sumG = 0, sumGe = 0;
                        for (long s = 0; s < m; s++)
                        {
                            float g = gzp[(s * b + i) * d + j];
                            sumG += g;
                            sumGe += (double)g * ep[s * noiseRows * d + i * rowStride + j];
                        }
                        gmp[i * d + j] = (float)sumG;
                        glp[i * d + j] = (float)(sumGe * sp[i * d + j] * 0.5);
                    }
                if (need[0]) result[0] = gPostMean.MoveToOuterDisposeScope();
                if (need[1]) result[1] = gPostLogVar.MoveToOuterDisposeScope();
            }
            if (need[3]) result[3] = gm!.MoveToOuterDisposeScope();
            if (need[4]) result[4] = gl!.MoveToOuterDisposeScope();
            if (need[5]) result[5] = gw!.MoveToOuterDisposeScope();
            return result!;
        }
        finally
        {
            MixtureFunctions.Release(grad_outputs);
        }
    }
}

/// <summary>
/// The quantity of <see cref="MixtureMonteCarloFunction"/> without the usage output, in a single pass: the
/// forward pass also keeps the gradients of every mean log-density (see
/// <see cref="MixtureKernel{TVec, TOps}.MonteCarloPass"/>), and the backward pass only scales them by the
/// incoming cotangents. Arguments: postMean, postLogVar, noise, means, logVars, logWeights (float32 CPU),
/// need (bool[6]: which gradients the graph will ask for, decided when the op is applied).
/// </summary>
internal sealed class MixtureMonteCarloSinglePassFunction : torch.autograd.SingleTensorFunction<MixtureMonteCarloSinglePassFunction>
{
    public override string Name => "MixtureMonteCarloSinglePass";

    public override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        var postMean = (Tensor)vars[0];
        var postLogVar = (Tensor)vars[1];
        var noise = (Tensor)vars[2];
        var (means, logVars, logWeights) = ((Tensor)vars[3], (Tensor)vars[4], (Tensor)vars[5]);
        var need = (bool[])vars[6];
        bool needPost = need[0] || need[1], needPrior = need[3] || need[4] || need[5];
        using var mu = postMean.contiguous();
        using var halfLogVar = postLogVar * 0.5;
        using var std = halfLogVar.exp_().contiguous();
        using var eps = noise.contiguous();
        using var layout = MixtureComputation.Prepare(means, logVars, logWeights);
        var (meanLse, gPost, gPrior) = MixtureComputation.MonteCarloSinglePass(mu, std, eps, layout, needPost, needPrior);
        ctx.set_materialize_grads(false);
        ctx.save_data("need", need);
        ctx.save_for_backward(new List<Tensor> { gPost!, gPrior!, postMean, postLogVar, noise, means, logVars, logWeights });
        return meanLse;
    }

    public override List<Tensor> backward(AutogradContext ctx, Tensor grad_output)
    {
        var grads = new List<Tensor> { grad_output };
        try
        {
            var need = (bool[])ctx.get_data("need");
            var g = MixtureFunctions.Defined(grads, 0);
            var result = new List<Tensor?>(new Tensor?[7]);
            if (g is null || !need.Any(x => x)) return result!;
            using var scope = torch.NewDisposeScope();
            var saved = ctx.get_saved_variables();
            var (gPost, gPrior) = (saved[0], saved[1]);
            Tensor[] inputs = [saved[2], saved[3], saved[4], saved[5], saved[6], saved[7]];
            if (torch.is_grad_enabled())
            {
                // A backward pass that records a graph (create_graph): exact higher-order gradients from the generic formulation.
                var samples = GenericMixture.MonteCarloSamples(inputs[0], inputs[1], inputs[2]);
                var joint = GenericMixture.Joint(samples, inputs[3], inputs[4], inputs[5]);
                var value = joint.logsumexp(1).view(new[] { -1, inputs[0].size(0) }).mean(new long[] { 0 });
                return MixtureFunctions.GenericGradients(inputs, need, new List<Tensor> { value }, new List<Tensor> { g }, 7)!;
            }
            if (gPost is not null)
            {
                long d = gPost.size(1) / 2;
                var scaled = gPost * g.unsqueeze(1);
                if (need[0]) result[0] = scaled.narrow(1, 0, d).MoveToOuterDisposeScope();
                if (need[1]) result[1] = scaled.narrow(1, d, d).MoveToOuterDisposeScope();
            }
            if (gPrior is not null)
            {
                using var layout = MixtureComputation.Prepare(inputs[3], inputs[4], inputs[5]);
                var (gm, gl, gw) = MixtureComputation.ScalePriorGradients(gPrior, g, layout);
                if (need[3]) result[3] = gm.MoveToOuterDisposeScope();
                if (need[4]) result[4] = gl.MoveToOuterDisposeScope();
                if (need[5]) result[5] = gw.MoveToOuterDisposeScope();
            }
            return result!;
        }
        finally
        {
            MixtureFunctions.Release(grads);
        }
    }
}
