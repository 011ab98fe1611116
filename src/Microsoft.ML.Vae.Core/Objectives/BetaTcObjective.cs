using TorchSharp;
using static TorchSharp.torch;
using Microsoft.ML.Vae.Core.Priors;
using Microsoft.ML.Vae.Core.Training;

namespace Microsoft.ML.Vae.Core.Objectives;

/// <summary>
/// β-TCVAE (Chen et al.) with minibatch-stratified sampling, in the form the dpVAE code reuses
/// (spec §1.4). For a batch of M reparameterized samples z_i of q(z|x_i) and a training set of size N:
/// m_{ik,j} = log N(z_ij; μ_kj, σ²_kj) + log W_ik,
/// log q(z_i) = logsumexp_k Σ_j m_{ik,j}, log ∏_j q(z_ij) = Σ_j logsumexp_k m_{ik,j},
/// MI = mean_i[log q(z_i|x_i) − log q(z_i)], TC = mean_i[log q(z_i) − log ∏_j q(z_ij)],
/// DWKL = mean_i[log ∏_j q(z_ij) − log p(z_i)], L = w·SSE + α·MI + β·TC + γ·DWKL.
/// Note that log W_ik sits inside the sum over j, so the joint term carries it d times, exactly as
/// the reference code computes it.
/// </summary>
public static class BetaTcObjective
{
    /// <summary>
    /// The stratified importance weights W (M × M, M' = M − 1): W_ii = 1/N, W_{i,i+1} = W_{M−2,0} =
    /// (N − M')/(N·M'), every other entry 1/M'.
    /// With <paramref name="reproduceColumnQuirk"/> the layout of the reference code's strided
    /// assignment is reproduced instead: its stride of M walks down a column, so column 0 gets 1/N
    /// and column 1 the stratified weight (besides W_{M−2,0}).
    /// </summary>
    public static double[,] ImportanceWeights(int batchSize, long datasetSize, bool reproduceColumnQuirk = false)
    {
        if (batchSize < 3)
            throw new ArgumentException($"The minibatch-stratified estimator needs at least 3 samples per batch, got {batchSize}.", nameof(batchSize));
        if (datasetSize < batchSize)
            throw new ArgumentException(
                $"The training-set size N ({datasetSize}) must be at least the batch size ({batchSize}); set DatasetSize to the number of training samples.",
                nameof(datasetSize));
        int m = batchSize - 1;
        double n = datasetSize;
        double strat = (n - m) / (n * m);
        var w = new double[batchSize, batchSize];
        for (int i = 0; i < batchSize; i++)
            for (int k = 0; k < batchSize; k++)
                w[i, k] = 1.0 / m;
        for (int i = 0; i < batchSize; i++)
        {
            if (reproduceColumnQuirk) { w[i, 0] = 1.0 / n; w[i, 1] = strat; }
            else
            {
                w[i, i] = 1.0 / n;
                if (i + 1 < batchSize) w[i, i + 1] = strat;
            }
        }
        w[batchSize - 2, 0] = strat;
        return w;
    }

    /// <summary>
    /// MI, TC and DWKL (each a scalar, mean over the batch) for samples <paramref name="z"/> of
    /// q(z|x) = N(<paramref name="mean"/>, exp(<paramref name="logVar"/>)) and the prior log-density
    /// <paramref name="logPz"/> of each sample ([N]).
    /// </summary>
    public static (Tensor MutualInformation, Tensor TotalCorrelation, Tensor DimensionWiseKl) Decompose(
        Tensor z, Tensor mean, Tensor logVar, Tensor logPz, long datasetSize, bool reproduceColumnQuirk = false,
        bool reproduceRepeatedWeightQuirk = false)
    {
        ObjectiveChecks.Latents(z, nameof(z));
        if (!z.shape.SequenceEqual(mean.shape) || !z.shape.SequenceEqual(logVar.shape))
            throw new ArgumentException("z, mean and logVar must all be [N, d] with the same shape.");
        ObjectiveChecks.PerSample(logPz, z, nameof(logPz));
        int batch = checked((int)z.size(0));
        var weights = ImportanceWeights(batch, datasetSize, reproduceColumnQuirk);

        using var scope = torch.NewDisposeScope();
        var flat = new double[batch * batch];
        for (int i = 0; i < batch; i++)
            for (int k = 0; k < batch; k++)
                flat[i * batch + k] = Math.Log(weights[i, k]);
        var logW = torch.tensor(flat, [batch, batch]).to(z.dtype, z.device);

        var logQzx = DiagonalGaussian.LogDensity(z, mean, logVar).sum(1);
        // [i, k, j]: density of sample i's coordinate j under posterior k.
        var density = DiagonalGaussian.LogDensity(z.unsqueeze(1), mean.unsqueeze(0), logVar.unsqueeze(0));
        var matrix = density + logW.unsqueeze(2);
        // Each marginal q(z_ij) is a weighted mixture over k, so log W_ik enters once per coordinate;
        // the joint q(z_i) is one mixture, so it enters once. The released code (via
        // disentangling-vae) sums the weighted matrix over j, counting log W_ik d times in the joint.
        var logQz = reproduceRepeatedWeightQuirk ? matrix.sum(2).logsumexp(1) : (density.sum(2) + logW).logsumexp(1);
        var logProdQz = matrix.logsumexp(1).sum(1);

        var mi = (logQzx - logQz).mean();
        var tc = (logQz - logProdQz).mean();
        var dwkl = (logProdQz - logPz).mean();
        return (mi.MoveToOuterDisposeScope(), tc.MoveToOuterDisposeScope(), dwkl.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Terms "reconstruction", "mi", "tc", "dwkl"; total = reconstruction + α·mi + β·tc + γ·dwkl.
    /// </summary>
    public static LossTerms Compute(Tensor reconstruction, Tensor x, double mseWeight, Tensor z, Tensor mean, Tensor logVar, Tensor logPz,
        long datasetSize, double alpha, double beta, double gamma, bool reproduceColumnQuirk = false,
        bool reproduceRepeatedWeightQuirk = false)
    {
        ObjectiveChecks.Weight(alpha, nameof(alpha));
        ObjectiveChecks.Weight(beta, nameof(beta));
        ObjectiveChecks.Weight(gamma, nameof(gamma));
        using var scope = torch.NewDisposeScope();
        var rec = ReconstructionLoss.WeightedSse(reconstruction, x, mseWeight);
        var (mi, tc, dwkl) = Decompose(z, mean, logVar, logPz, datasetSize, reproduceColumnQuirk, reproduceRepeatedWeightQuirk);
        var total = rec + mi * alpha + tc * beta + dwkl * gamma;
        return new LossTerms(total.MoveToOuterDisposeScope())
            .Add("reconstruction", rec.MoveToOuterDisposeScope())
            .Add("mi", mi.MoveToOuterDisposeScope())
            .Add("tc", tc.MoveToOuterDisposeScope())
            .Add("dwkl", dwkl.MoveToOuterDisposeScope());
    }
}
