using Microsoft.ML.Vae.Torch;
using Microsoft.ML.Vae.Torch.NN;
using Microsoft.ML.Vae.Torch.Optim;

namespace Microsoft.ML.Vae.Bench;

// Inside Microsoft.ML.Vae.*, the bare name Torch would mean the namespace, not the class.
using Torch = Microsoft.ML.Vae.Torch.Torch;

/// <summary>
/// One VAE training step on a fixed batch: encode to mean and log-variance, reparameterize with
/// fresh normal noise, decode, loss = SSE reconstruction + KL(q(z|x) ‖ N(0, I)) (batch sums),
/// backward, one Adam step. Owns the networks, the batch and the optimizer.
/// </summary>
public sealed class VaeTrainingStep : IDisposable
{
    private readonly Sequential _encoder;
    private readonly Sequential _decoder;
    private readonly Tensor _batch;
    private readonly Adam _optimizer;

    private VaeTrainingStep(Sequential encoder, Sequential decoder, Tensor batch, double learningRate)
    {
        _encoder = encoder;
        _decoder = decoder;
        _batch = batch;
        _optimizer = new Adam(encoder.Parameters().Concat(decoder.Parameters()), learningRate);
    }

    /// <summary>
    /// Builds the 2-D MLP VAE and a batch of 512 standard-normal points (after seeding; the
    /// networks consume the generator first, then the batch, exactly as the PyTorch side does).
    /// </summary>
    public static VaeTrainingStep Mlp(long seed, DType dtype, int batchSize = 512, double learningRate = 2e-4)
    {
        Torch.ManualSeed(seed);
        var encoder = VaeArchitectures.MlpEncoder();
        var decoder = VaeArchitectures.MlpDecoder();
        return Create(encoder, decoder, Torch.Randn([batchSize, 2]), dtype, learningRate);
    }

    /// <summary>Builds the <c>beta_mnist</c> conv VAE (latent 2) and a batch of 64 uniform [0, 1) 28×28 images.</summary>
    public static VaeTrainingStep Conv(long seed, DType dtype, int batchSize = 64, double learningRate = 1e-4)
    {
        Torch.ManualSeed(seed);
        var encoder = VaeArchitectures.BetaMnistEncoder();
        var decoder = VaeArchitectures.BetaMnistDecoder();
        return Create(encoder, decoder, Torch.Rand([batchSize, 1, 28, 28]), dtype, learningRate);
    }

    private static VaeTrainingStep Create(Sequential encoder, Sequential decoder, Tensor batch, DType dtype, double learningRate)
    {
        // Generated in float32 on both sides, then converted, so float64 runs see the same values.
        if (dtype != DType.Float32)
        {
            encoder.To(dtype);
            decoder.To(dtype);
            using var generated = batch;
            batch = generated.To(dtype);
        }
        return new VaeTrainingStep(encoder, decoder, batch.DetachFromScope(), learningRate);
    }

    /// <summary>Runs one step; returns the step's loss when <paramref name="readLoss"/> is set, else NaN (reading costs a sync).</summary>
    public double Run(bool readLoss = false)
    {
        using var scope = Torch.NewDisposeScope();
        _optimizer.ZeroGrad();
        var h = _encoder.Forward(_batch);
        var halves = h.Chunk(2, 1);
        var (mean, logVar) = (halves[0], halves[1]);
        var std = (logVar * 0.5).Exp();
        var z = mean + Torch.RandnLike(std) * std;
        var reconstruction = _decoder.Forward(z);
        var sse = Functional.MseLoss(reconstruction, _batch, Reduction.Sum);
        var kl = -0.5 * (1 + logVar - mean.Pow(2) - logVar.Exp()).Sum();
        var loss = sse + kl;
        loss.Backward();
        _optimizer.Step();
        return readLoss ? loss.Item() : double.NaN;
    }

    /// <summary>Releases the networks, the batch and the optimizer state.</summary>
    public void Dispose()
    {
        _optimizer.Dispose();
        _encoder.Dispose();
        _decoder.Dispose();
        _batch.Dispose();
    }
}
