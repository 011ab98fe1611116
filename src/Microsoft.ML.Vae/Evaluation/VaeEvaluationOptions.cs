using Microsoft.ML.Vae.Core.Evaluation;

namespace Microsoft.ML.Vae;

/// <summary>Settings of the VAE evaluators. Defaults are documented per member.</summary>
public sealed class VaeEvaluationOptions
{
    /// <summary>Metrics to compute (default <see cref="VaeMetricKinds.All"/>; FID only with <see cref="FidFeatures"/>, the linear probe only with a label column).</summary>
    public VaeMetricKinds Metrics { get; set; } = VaeMetricKinds.All;

    /// <summary>Factor applied to the input column's values (default 1/255: pixel values 0–255 become [0, 1]).</summary>
    public float InputScale { get; set; } = 1f / 255;

    /// <summary>Rows of the data read (default 2000).</summary>
    public long MaxRows { get; set; } = 2000;

    /// <summary>Seed of every random draw; null (the default) draws one from the MLContext. libtorch's CPU generator is restored afterwards (CUDA generators are left reseeded: TorchSharp cannot read their state).</summary>
    public long? Seed { get; set; }

    /// <summary>
    /// Feature extractor for FID, e.g. a core <c>ClassifierFeatureExtractor</c> or <c>TorchScriptInceptionExtractor</c>; null (the default)
    /// skips FID. Its <c>Name</c> is reported with the value. Not owned.
    /// </summary>
    public IFeatureExtractor? FidFeatures { get; set; }

    /// <summary>Prior samples generated for FID (default 1000).</summary>
    public long FidSamples { get; set; } = 1000;

    /// <summary>FID settings; null (the default) uses the core defaults with <see cref="Seed"/>.</summary>
    public FidOptions? Fid { get; set; }

    /// <summary>Importance samples per data row for the NLL (default 1000, the core default).</summary>
    public int NllImportanceSamples { get; set; } = ImportanceSampledNll.DefaultImportanceSamples;

    /// <summary>Rows used for the NLL, the most expensive metric (default 200).</summary>
    public int NllMaxRows { get; set; } = 200;

    /// <summary>Samples per distribution of the symmetric KL (default 5000, the core default).</summary>
    public int SymmetricKlSamples { get; set; } = SymmetricKl.DefaultSamples;

    /// <summary>Leakage settings; null (the default) uses the core defaults.</summary>
    public LeakageOptions? Leakage { get; set; }

    /// <summary>Flow-fit settings; null (the default) uses the core defaults (5000 samples, far = 3× the typical spacing of encodings).</summary>
    public FlowFitOptions? FlowFit { get; set; }

    /// <summary>Fraction of the labelled rows held out to score the linear probe (default 0.25; the rest trains it).</summary>
    public double LinearProbeTestFraction { get; set; } = 0.25;

    /// <summary>Linear-probe settings; null (the default) uses the core defaults.</summary>
    public LinearProbeOptions? LinearProbe { get; set; }

    /// <summary>Rows encoded or decoded together (default 500).</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>A shallow copy.</summary>
    public VaeEvaluationOptions Clone() => (VaeEvaluationOptions)MemberwiseClone();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if ((Metrics & ~VaeMetricKinds.All) != 0) throw new ArgumentException($"Unknown metrics {Metrics}.", nameof(Metrics));
        if (!float.IsFinite(InputScale) || InputScale == 0) throw new ArgumentException($"InputScale must be finite and non-zero (got {InputScale}).", nameof(InputScale));
        if (MaxRows < 2) throw new ArgumentException($"MaxRows must be at least 2 (got {MaxRows}).", nameof(MaxRows));
        if (FidSamples < 2) throw new ArgumentException($"FidSamples must be at least 2 (got {FidSamples}).", nameof(FidSamples));
        if (NllImportanceSamples < 1) throw new ArgumentException($"NllImportanceSamples must be at least 1 (got {NllImportanceSamples}).", nameof(NllImportanceSamples));
        if (NllMaxRows < 1) throw new ArgumentException($"NllMaxRows must be at least 1 (got {NllMaxRows}).", nameof(NllMaxRows));
        if (SymmetricKlSamples < 2) throw new ArgumentException($"SymmetricKlSamples must be at least 2 (got {SymmetricKlSamples}).", nameof(SymmetricKlSamples));
        if (!(LinearProbeTestFraction > 0 && LinearProbeTestFraction < 1))
            throw new ArgumentException($"LinearProbeTestFraction must be in (0, 1) (got {LinearProbeTestFraction}).", nameof(LinearProbeTestFraction));
        FlowFit?.Validate();
        if (BatchSize < 1) throw new ArgumentException($"BatchSize must be at least 1 (got {BatchSize}).", nameof(BatchSize));
    }
}
