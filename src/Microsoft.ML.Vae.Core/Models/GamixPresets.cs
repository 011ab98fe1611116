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
    /// Fashion-MNIST 28×28×1: <see cref="SmallImages"/> for [1, 28, 28], i.e. two stages of 32 filters
    /// (28 → 14 → 7, code map 4×7×7), d_z = 32, batch 32, Adam lr 2e-4 with β₁ = 0.5, 20,000 iterations,
    /// PatchGAN filters [64, 64, 64, 32, 32, 1] with strides [2, 2, 1, 1, 1, 1] (7×7 patch logits).
    /// </summary>
    public static GamixOptions FashionMnist(bool patchGan) => SmallImages([1, 28, 28], patchGan);

    /// <summary>
    /// A configuration that trains on a two-core CPU for small images such as 28×28×1 or 32×32×3 (not a
    /// paper benchmark): 32 filters, d_z = 32 (4 code channels), as many stages as keep both sides divisible
    /// by 2^stages and the code map at least 4×4 (at most 6: 28 → 7 with 2 stages, 32 → 4 with 3),
    /// batch 32, Adam lr 2e-4 for both optimizers with β₁ = 0.5, 20,000 iterations, and a PatchGAN with
    /// filters [64, 64, 64, 32, 32, 1] and strides [2, 2, 1, 1, 1, 1]. The loss weights are the paper's.
    /// </summary>
    /// <exception cref="ArgumentException">The shape is not [C, H, W] with sides that allow at least one stage.</exception>
    public static GamixOptions SmallImages(long[] sampleShape, bool patchGan)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (sampleShape.Length != 3 || sampleShape.Any(s => s <= 0))
            throw new ArgumentException($"Expected an image shape [C, H, W], got [{string.Join(", ", sampleShape)}].", nameof(sampleShape));
        long side = Math.Min(sampleShape[1], sampleShape[2]);
        int stages = 0;
        while (stages < 6 && sampleShape[1] % (2L << stages) == 0 && sampleShape[2] % (2L << stages) == 0 && side / (2L << stages) >= 4)
            stages++;
        if (stages == 0)
            throw new ArgumentException(
                $"GAMIX-VAE's ResNet halves the image at least once and needs a code map of at least 4×4; [{string.Join(", ", sampleShape)}] does not allow that.",
                nameof(sampleShape));
        return new GamixOptions
        {
            PatchGan = patchGan,
            SampleShape = sampleShape.ToArray(),
            LatentDim = 32,
            Filters = 32,
            Stages = stages,
            EncoderIdentityBlocks = 2,
            DecoderIdentityBlocks = 1,
            PatchGanFilters = [64, 64, 64, 32, 32, 1],
            PatchGanStrides = [2, 2, 1, 1, 1, 1],
            LearningRate = 2e-4,
            DiscriminatorLearningRate = 2e-4,
            BatchSize = 32,
            Iterations = 20_000,
        };
    }

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
