using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Training.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Microsoft.ML.Vae.Bench;

/// <summary>
/// One VAE training step on a fixed batch: encode to mean and log-variance, reparameterize with
/// fresh normal noise, decode, loss = SSE reconstruction + KL(q(z|x) ‖ N(0, I)) (batch sums),
/// backward, one Adam step (the library's <see cref="FusedAdam"/> by default, or TorchSharp's own Adam).
/// Owns the networks, the batch and the optimizer.
/// </summary>
public sealed class VaeTrainingStep : IDisposable
{
    private readonly Sequential _encoder;
    private readonly Sequential _decoder;
    private readonly Tensor _batch;
    private readonly optim.Optimizer _optimizer;

    private VaeTrainingStep(Sequential encoder, Sequential decoder, Tensor batch, double learningRate, bool fusedAdam)
    {
        _encoder = encoder;
        _decoder = decoder;
        _batch = batch;
        var parameters = encoder.parameters().Concat(decoder.parameters()).ToArray();
        _optimizer = fusedAdam ? new FusedAdam(parameters, learningRate) : optim.Adam(parameters, learningRate);
    }

    /// <summary>
    /// Builds the 2-D MLP VAE and a batch of 512 standard-normal points (after seeding; the
    /// networks consume the generator first, then the batch, exactly as the PyTorch side does).
    /// </summary>
    public static VaeTrainingStep Mlp(long seed, ScalarType dtype, bool fusedAdam = true, int batchSize = 512, double learningRate = 2e-4)
    {
        torch.manual_seed(seed);
        var encoder = VaeArchitectures.MlpEncoder();
        var decoder = VaeArchitectures.MlpDecoder();
        return Create(encoder, decoder, torch.randn(batchSize, 2), dtype, learningRate, fusedAdam);
    }

    /// <summary>Builds the <c>beta_mnist</c> conv VAE (latent 2) and a batch of 64 uniform [0, 1) 28×28 images.</summary>
    public static VaeTrainingStep Conv(long seed, ScalarType dtype, bool fusedAdam = true, int batchSize = 64, double learningRate = 1e-4)
    {
        torch.manual_seed(seed);
        var encoder = VaeArchitectures.BetaMnistEncoder();
        var decoder = VaeArchitectures.BetaMnistDecoder();
        return Create(encoder, decoder, torch.rand(batchSize, 1, 28, 28), dtype, learningRate, fusedAdam);
    }

    private static VaeTrainingStep Create(Sequential encoder, Sequential decoder, Tensor batch, ScalarType dtype, double learningRate, bool fusedAdam)
    {
        // Generated in float32 on both sides, then converted, so float64 runs see the same values.
        if (dtype != ScalarType.Float32)
        {
            encoder.to(dtype);
            decoder.to(dtype);
            using var generated = batch;
            batch = generated.to(dtype);
        }
        return new VaeTrainingStep(encoder, decoder, batch.DetachFromDisposeScope(), learningRate, fusedAdam);
    }

    /// <summary>Runs one step; returns the step's loss when <paramref name="readLoss"/> is set, else NaN (reading costs a sync).</summary>
    public double Run(bool readLoss = false)
    {
        using var scope = torch.NewDisposeScope();
        _optimizer.zero_grad();
        var h = _encoder.forward(_batch);
        var halves = h.chunk(2, 1);
        var (mean, logVar) = (halves[0], halves[1]);
        var std = (logVar * 0.5).exp();
        var z = mean + torch.randn_like(std) * std;
        var reconstruction = _decoder.forward(z);
        var sse = F.mse_loss(reconstruction, _batch, nn.Reduction.Sum);
        var kl = -0.5 * (1 + logVar - mean.pow(2) - logVar.exp()).sum();
        var loss = sse + kl;
        loss.backward();
        _optimizer.step();
        return readLoss ? loss.ItemAsDouble() : double.NaN;
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
