using Microsoft.ML.Vae.Core.Evaluation;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Data;
using Microsoft.ML.Vae.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae;

/// <summary>
/// Evaluators: the core library's VAE metrics (FID, importance-sampled NLL, symmetric KL, leakage,
/// reconstruction error, linear probe, flow-fit diagnostics) on a column of an <see cref="IDataView"/>. Nothing is re-implemented
/// here: the column is read into a tensor (scaled by <see cref="VaeEvaluationOptions.InputScale"/>) and handed
/// to the core. Every random draw is seeded, from <see cref="VaeEvaluationOptions.Seed"/> or the MLContext.
/// </summary>
public static class VaeEvaluationCatalog
{
    private const string Component = "VAE evaluator";

    /// <summary>The metrics selected by <see cref="VaeEvaluationOptions.Metrics"/> for <paramref name="model"/> on <paramref name="data"/>.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="model">A trained VAE.</param>
    /// <param name="data">The evaluation data.</param>
    /// <param name="inputColumnName">Float vector column of the model's sample size.</param>
    /// <param name="labelColumnName">Class labels (key or numeric) for the linear probe; null skips it.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type or size.</exception>
    public static VaeMetrics Evaluate(this VaeCatalog catalog, IVaeModel model, IDataView data, string inputColumnName,
        string? labelColumnName = null, VaeEvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        return Compute(catalog.Context, model, model.Kind, data, inputColumnName, labelColumnName, Checked(options));
    }

    /// <summary>
    /// The metrics of the VAE inside a fitted featurizer or reconstruction transformer, read from its input
    /// column with its input scale; the result is named after its output column.
    /// </summary>
    public static VaeMetrics Evaluate(this VaeCatalog catalog, VaeMappingTransformer transformer, IDataView data,
        string? labelColumnName = null, VaeEvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(transformer);
        var o = Checked(options);
        o.InputScale = transformer.InputScale;
        return Compute(catalog.Context, transformer.Model, NameOf(transformer), data, transformer.InputColumnName, labelColumnName, o);
    }

    /// <summary>
    /// The metrics of every distinct VAE in a fitted pipeline (see <see cref="VaeModelFile.FindTransformers"/>), in
    /// pipeline order: several VAEs trained side by side in one pipeline give one row each.
    /// </summary>
    public static IReadOnlyList<VaeMetrics> EvaluateAll(this VaeCatalog catalog, ITransformer model, IDataView data,
        string? labelColumnName = null, VaeEvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        var seen = new HashSet<IVaeModel>(ReferenceEqualityComparer.Instance);
        var results = new List<VaeMetrics>();
        foreach (var t in VaeModelFile.FindTransformers(model))
            if (seen.Add(t.Model)) results.Add(catalog.Evaluate(t, data, labelColumnName, options));
        return results;
    }

    /// <summary>FID of prior samples against the data, in the features of <paramref name="features"/>.</summary>
    public static FidResult EvaluateFid(this VaeCatalog catalog, IVaeModel model, IDataView data, string inputColumnName,
        IFeatureExtractor features, VaeEvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        var o = Checked(options);
        o.FidFeatures = features;
        o.Metrics = VaeMetricKinds.Fid;
        return Compute(catalog.Context, model, model.Kind, data, inputColumnName, null, o).Fid!;
    }

    /// <summary>Importance-sampled NLL of the data (first <see cref="VaeEvaluationOptions.NllMaxRows"/> rows).</summary>
    public static ImportanceSampledNllResult EvaluateNll(this VaeCatalog catalog, IVaeModel model, IDataView data, string inputColumnName,
        VaeEvaluationOptions? options = null) =>
        Single(catalog, model, data, inputColumnName, null, options, VaeMetricKinds.Nll).Nll!;

    /// <summary>Symmetric KL between the aggregate posterior of the data and the prior.</summary>
    public static SymmetricKlResult EvaluateSymmetricKl(this VaeCatalog catalog, IVaeModel model, IDataView data, string inputColumnName,
        VaeEvaluationOptions? options = null) =>
        Single(catalog, model, data, inputColumnName, null, options, VaeMetricKinds.SymmetricKl).SymmetricKl!;

    /// <summary>The leakage curve of the model on the data.</summary>
    public static LeakageResult EvaluateLeakage(this VaeCatalog catalog, IVaeModel model, IDataView data, string inputColumnName,
        VaeEvaluationOptions? options = null) =>
        Single(catalog, model, data, inputColumnName, null, options, VaeMetricKinds.Leakage).Leakage!;

    /// <summary>
    /// Flow-fit diagnostics: how well the prior covers the aggregate posterior of the data (see the core <c>FlowFit</c>).
    /// </summary>
    public static FlowFitResult EvaluateFlowFit(this VaeCatalog catalog, IVaeModel model, IDataView data, string inputColumnName,
        VaeEvaluationOptions? options = null) =>
        Single(catalog, model, data, inputColumnName, null, options, VaeMetricKinds.FlowFit).FlowFit!;

    /// <summary>Mean squared reconstruction error per element, in the model's data range.</summary>
    public static double EvaluateReconstruction(this VaeCatalog catalog, IVaeModel model, IDataView data, string inputColumnName,
        VaeEvaluationOptions? options = null) =>
        Single(catalog, model, data, inputColumnName, null, options, VaeMetricKinds.Reconstruction).ReconstructionMse!.Value;

    /// <summary>Held-out accuracy of a linear probe trained on the latent means of part of the labelled data.</summary>
    public static double EvaluateLinearProbe(this VaeCatalog catalog, IVaeModel model, IDataView data, string inputColumnName,
        string labelColumnName, VaeEvaluationOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(labelColumnName);
        return Single(catalog, model, data, inputColumnName, labelColumnName, options, VaeMetricKinds.LinearProbe).LinearProbeAccuracy!.Value;
    }

    private static VaeMetrics Single(VaeCatalog catalog, IVaeModel model, IDataView data, string inputColumnName, string? labelColumnName,
        VaeEvaluationOptions? options, VaeMetricKinds kind)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        var o = Checked(options);
        o.Metrics = kind;
        return Compute(catalog.Context, model, model.Kind, data, inputColumnName, labelColumnName, o);
    }

    private static VaeEvaluationOptions Checked(VaeEvaluationOptions? options)
    {
        var o = options?.Clone() ?? new VaeEvaluationOptions();
        o.Validate();
        return o;
    }

    private static string NameOf(VaeMappingTransformer transformer) => transformer switch
    {
        VaeFeaturizerTransformer f => f.OutputColumnName,
        VaeReconstructionTransformer r => r.OutputColumnName,
        _ => transformer.Model.Kind,
    };

    private static VaeMetrics Compute(MLContext mlContext, IVaeModel model, string name, IDataView data, string inputColumnName,
        string? labelColumnName, VaeEvaluationOptions o)
    {
        ArgumentNullException.ThrowIfNull(data);
        long seed = ContextSeed.Resolve(mlContext, o.Seed);
        bool Wants(VaeMetricKinds k) => (o.Metrics & k) != 0;

        using var scope = torch.NewDisposeScope();
        var x = DataTensors.Read(data, inputColumnName, model, o.InputScale, o.MaxRows, Component);
        long rows = x.size(0);

        FidResult? fid = Wants(VaeMetricKinds.Fid) && o.FidFeatures is not null
            ? FidCalculator.ComputeForPriorSamples(o.FidFeatures, model, x, o.FidSamples, o.Fid ?? new FidOptions { Seed = seed, BatchSize = o.BatchSize })
            : null;
        ImportanceSampledNllResult? nll = Wants(VaeMetricKinds.Nll)
            ? ImportanceSampledNll.Compute(model, x.narrow(0, 0, Math.Min(rows, o.NllMaxRows)), o.NllImportanceSamples, seed: seed)
            : null;
        SymmetricKlResult? symmetricKl = Wants(VaeMetricKinds.SymmetricKl)
            ? SymmetricKl.Compute(model, x, o.SymmetricKlSamples, seed, o.BatchSize)
            : null;
        LeakageResult? leakage = Wants(VaeMetricKinds.Leakage) ? LeakageScore.Compute(model, x, o.Leakage, seed) : null;
        double? reconstruction = Wants(VaeMetricKinds.Reconstruction) ? ReconstructionError.Compute(model, x, o.BatchSize) : null;
        double? probe = Wants(VaeMetricKinds.LinearProbe) && labelColumnName is not null
            ? LinearProbeAccuracy(model, data, x, labelColumnName, seed, o)
            : null;
        FlowFitResult? flowFit = Wants(VaeMetricKinds.FlowFit)
            ? FlowFit.Compute(model, x, o.FlowFit ?? new FlowFitOptions { BatchSize = o.BatchSize }, seed)
            : null;
        return new VaeMetrics(name, model.Kind, rows, fid, nll, symmetricKl, leakage, reconstruction, probe, flowFit);
    }

    private static double LinearProbeAccuracy(IVaeModel model, IDataView data, Tensor x, string labelColumnName, long seed, VaeEvaluationOptions o)
    {
        long n = x.size(0);
        var labels = ColumnReader.ReadLabels(data, labelColumnName, n);
        if (labels.LongLength != n)
            throw new ArgumentException($"Label column '{labelColumnName}' has {labels.Length} rows; the input column has {n}.", nameof(data));
        int testCount = (int)Math.Clamp(Math.Round(n * o.LinearProbeTestFraction), 1, n - 1);
        // A seeded permutation: data sets are often sorted by class, so a head/tail split would not do.
        var order = Enumerable.Range(0, (int)n).Select(i => (long)i).ToArray();
        new Random(unchecked((int)seed)).Shuffle(order);
        using var scope = torch.NewDisposeScope();
        var codes = RepresentationMetrics.Encode(model, x, LatentEncoding.PosteriorMean, o.BatchSize);
        var y = torch.tensor(labels);
        var test = torch.tensor(order[..testCount]);
        var train = torch.tensor(order[testCount..]);
        return LinearProbe.TrainAndScore(codes.index_select(0, train), y.index_select(0, train), codes.index_select(0, test), y.index_select(0, test), o.LinearProbe);
    }
}
