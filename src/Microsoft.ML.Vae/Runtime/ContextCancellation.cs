using System.Reflection;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Vae.Runtime;

/// <summary>
/// Tells whether an <see cref="MLContext"/> has been cancelled. ML.NET cancels a context through an internal
/// method (AutoML does it to stop a trial) and its components observe it through an internal interface; the
/// hosts a context hands out carry the flag as a public <c>IsCanceled</c> property of an internal class, which
/// this probe reads by reflection. When an ML.NET version lacks it, the probe reports "not cancelled" and only
/// <see cref="VaeFeaturizerOptions.CancellationToken"/> stops training.
/// </summary>
internal static class ContextCancellation
{
    /// <summary>A function that reads the cancellation flag of <paramref name="host"/>.</summary>
    public static Func<bool> Probe(IHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var property = host.GetType().GetProperty("IsCanceled", BindingFlags.Public | BindingFlags.Instance);
        if (property?.PropertyType != typeof(bool) || property.GetMethod is null) return static () => false;
        return () => (bool)property.GetValue(host)!;
    }
}
