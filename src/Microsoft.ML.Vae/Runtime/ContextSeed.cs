using Microsoft.ML.Runtime;

namespace Microsoft.ML.Vae.Runtime;

/// <summary>Draws seeds for libtorch from an <see cref="MLContext"/>'s random stream.</summary>
/// <remarks>
/// MLContext keeps its seed private. Its public <see cref="IHostEnvironment"/> face hands out hosts whose
/// <see cref="IHost.Rand"/> is derived from the context's seed, as ML.NET's own components do, so a context
/// created with <c>new MLContext(seed: s)</c> yields the same sequence of seeds run after run, and a context
/// created without a seed yields fresh ones.
/// </remarks>
internal static class ContextSeed
{
    private const string HostName = "Microsoft.ML.Vae";

    /// <summary>The next seed: <paramref name="explicitSeed"/> when given, else one drawn from the context.</summary>
    public static long Resolve(MLContext mlContext, long? explicitSeed)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return Resolve((IHostEnvironment)mlContext, explicitSeed);
    }

    /// <summary>The next seed: <paramref name="explicitSeed"/> when given, else one drawn from <paramref name="host"/>.</summary>
    public static long Resolve(IHostEnvironment host, long? explicitSeed)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (explicitSeed is long seed) return seed;
        return host.Register(HostName).Rand.Next();
    }
}
