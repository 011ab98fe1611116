using System.Reflection;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Vae.Runtime;

/// <summary>
/// What the featurizer and reconstruction components use of their <see cref="MLContext"/>: the transforms
/// catalog (for the built-in transforms around each mapping), the host environment (seeds, log channels,
/// cancellation) and the GPU settings. Made from an <see cref="MLContext"/> (<c>mlContext.Vae()</c>) or from
/// its <see cref="TransformsCatalog"/> (<c>mlContext.Transforms.FeaturizeWithVae(...)</c>).
/// </summary>
/// <remarks>
/// ML.NET gives extension methods on <see cref="TransformsCatalog"/> no public way to reach the context they
/// belong to (its catalogs hold the environment behind the internal <c>IInternalCatalog</c> interface, which
/// ML.NET's own extension methods read). <see cref="FromCatalog"/> reads that environment by reflection (with
/// <see cref="ContextCancellation"/>, the only reads of non-public ML.NET members in this library); if a future ML.NET renames it, the Transforms entry points fail with
/// a message pointing to <c>mlContext.Vae()</c>, which needs no reflection.
/// </remarks>
internal sealed class VaeEnvironment
{
    private readonly Func<int?> _gpuDeviceId;
    private readonly Func<bool> _fallbackToCpu;

    private VaeEnvironment(TransformsCatalog transforms, IHostEnvironment host, Func<int?> gpuDeviceId, Func<bool> fallbackToCpu)
    {
        Transforms = transforms;
        Host = host;
        _gpuDeviceId = gpuDeviceId;
        _fallbackToCpu = fallbackToCpu;
    }

    /// <summary>The transforms catalog.</summary>
    public TransformsCatalog Transforms { get; }

    /// <summary>The host environment: seeds, channels (messages reach <see cref="MLContext.Log"/>), cancellation.</summary>
    public IHostEnvironment Host { get; }

    /// <summary>The context's <see cref="MLContext.GpuDeviceId"/>, read when asked (it may change after the estimator is made).</summary>
    public int? GpuDeviceId => _gpuDeviceId();

    /// <summary>The context's <see cref="MLContext.FallbackToCpu"/>.</summary>
    public bool FallbackToCpu => _fallbackToCpu();

    /// <summary>The environment of <paramref name="mlContext"/>.</summary>
    public static VaeEnvironment FromContext(MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return new VaeEnvironment(mlContext.Transforms, mlContext, () => mlContext.GpuDeviceId, () => mlContext.FallbackToCpu);
    }

    /// <summary>The environment of the context that <paramref name="catalog"/> belongs to.</summary>
    /// <exception cref="NotSupportedException">This ML.NET version does not expose the environment as expected.</exception>
    public static VaeEnvironment FromCatalog(TransformsCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var host = ReadEnvironment(catalog) ?? throw new NotSupportedException(
            "This ML.NET version does not let mlContext.Transforms.FeaturizeWithVae reach its MLContext; use mlContext.Vae() instead.");
        // The environment of an MLContext implements ML.NET's (internal) GPU settings interface with public properties.
        var gpu = host.GetType().GetProperty(nameof(MLContext.GpuDeviceId), BindingFlags.Public | BindingFlags.Instance);
        var fallback = host.GetType().GetProperty(nameof(MLContext.FallbackToCpu), BindingFlags.Public | BindingFlags.Instance);
        return new VaeEnvironment(catalog, host,
            () => gpu?.PropertyType == typeof(int?) ? (int?)gpu.GetValue(host) : null,
            () => fallback?.PropertyType != typeof(bool) || (bool)fallback.GetValue(host)!);
    }

    private static IHostEnvironment? ReadEnvironment(TransformsCatalog catalog)
    {
        var internalCatalog = typeof(TransformsCatalog).GetInterfaces().FirstOrDefault(i => i.Name == "IInternalCatalog");
        var property = internalCatalog?.GetProperty("Environment");
        if (property is null) return null;
        try
        {
            return property.GetValue(catalog) as IHostEnvironment;
        }
        catch (Exception ex) when (ex is TargetInvocationException or MethodAccessException or InvalidOperationException)
        {
            return null;
        }
    }
}
