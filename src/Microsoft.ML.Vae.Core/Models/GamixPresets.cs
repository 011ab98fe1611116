namespace Microsoft.ML.Vae.Core.Models;

/// <summary>
/// GAMIX-VAE configurations: the paper's 256×256 faces setting as released, and a small Fashion-MNIST
/// setting that trains on a two-core CPU (not a paper benchmark).
/// </summary>
public static class GamixPresets
{
    /// <summary>
    /// The paper's configuration (CelebA-HQ 256×256×3): d_z = 512, six stages of 128 filters (≈9.93 M VAE
    /// parameters as Keras counts them, plus the 1.05 M of the two dense heads), batch 10, Adam lr 1e-4 with
    /// β₁ = 0.5 for the VAE and the PatchGAN, λ_rec = 5000, adversarial weights 100, 720,000 iterations
    /// (300 epochs of 2,400 batches). With <paramref name="patchGan"/> false it trains without the discriminator.
    /// </summary>
    public static GamixOptions Faces256(bool patchGan) => new() { PatchGan = patchGan };

    /// <summary>
    /// Fashion-MNIST 28×28×1: two stages of 32 filters (28 → 14 → 7, code map 4×7×7), d_z = 32, batch 32,
    /// Adam lr 2e-4 with β₁ = 0.5, 20,000 iterations; the PatchGAN shrinks to filters
    /// [64, 64, 64, 32, 32, 1] with strides [2, 2, 1, 1, 1, 1] (7×7 patch logits). Loss weights are the paper's.
    /// </summary>
    public static GamixOptions FashionMnist(bool patchGan) => new()
    {
        PatchGan = patchGan,
        SampleShape = [1, 28, 28],
        LatentDim = 32,
        Filters = 32,
        Stages = 2,
        EncoderIdentityBlocks = 2,
        DecoderIdentityBlocks = 1,
        PatchGanFilters = [64, 64, 64, 32, 32, 1],
        PatchGanStrides = [2, 2, 1, 1, 1, 1],
        LearningRate = 2e-4,
        DiscriminatorLearningRate = 2e-4,
        BatchSize = 32,
        Iterations = 20_000,
    };

    /// <summary>A copy of <paramref name="options"/> turned into the plain-KL baseline with the same networks (no PatchGAN).</summary>
    public static GamixOptions AsBaseline(GamixOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var copy = options.Clone();
        copy.Baseline = true;
        copy.PatchGan = false;
        return copy;
    }
}
