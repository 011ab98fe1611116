namespace Microsoft.ML.Vae.Core.Training;

/// <summary>Raised when a loss term becomes NaN or infinite during training.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for <paramref name="term"/> at 1-based <paramref name="step"/>.</summary>
    public TrainingDivergedException(string term, long step, double value, string? detail = null)
        : base($"Loss term '{term}' became {Describe(value)} at step {step}." + (detail is null ? "" : " " + detail))
    {
        Term = term;
        Step = step;
        Value = value;
    }

    /// <summary>Name of the offending term ("loss" for the total).</summary>
    public string Term { get; }

    /// <summary>The 1-based step whose value was not finite.</summary>
    public long Step { get; }

    /// <summary>The offending value (NaN or ±infinity).</summary>
    public double Value { get; }

    private static string Describe(double v) =>
        double.IsNaN(v) ? "NaN" : double.IsPositiveInfinity(v) ? "+Infinity" : double.IsNegativeInfinity(v) ? "-Infinity" : v.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
