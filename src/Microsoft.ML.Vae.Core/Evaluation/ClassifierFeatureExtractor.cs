using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Persistence.SafeTensors;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>What <see cref="ClassifierFeatureExtractor.GetOrTrain"/> returns.</summary>
/// <param name="Extractor">The extractor (the caller disposes it).</param>
/// <param name="TestAccuracy">Classification accuracy on the test split given to GetOrTrain, measured now.</param>
/// <param name="FromCache">True when the weights came from the cache, false when they were trained now.</param>
/// <param name="CachePath">The cache file holding the weights.</param>
public sealed record ClassifierFeatureResult(ClassifierFeatureExtractor Extractor, double TestAccuracy, bool FromCache, string CachePath);

/// <summary>
/// Features from a small CNN classifier trained on the data set itself (<see cref="ClassifierFeatureNetwork"/>,
/// 128-d penultimate layer): the "classifier FID" for data sets where Inception-v3 features are
/// unavailable or meaningless. Its <see cref="Name"/> ("&lt;dataset&gt;-classifier-v1") must be
/// reported with every FID it produces; such values are not Inception FIDs and not comparable to them.
/// </summary>
/// <remarks>
/// Training is deterministic for a given machine and thread count: fixed seed, fixed epochs,
/// seeded shuffling, Adam. The weights are cached as safetensors in
/// <see cref="ClassifierFeatureOptions.ResolveCacheDirectory"/> under a name made of the data set,
/// the recipe version and a hash of the training settings and the training split's size, shape and
/// class count, so a cached network is reused only for the same recipe and data.
/// </remarks>
public sealed class ClassifierFeatureExtractor : IFeatureExtractor
{
    private const string FormatTag = "microsoft-ml-vae/classifier-features";
    private readonly ClassifierFeatureNetwork _network;
    private readonly int _batchSize;

    private ClassifierFeatureExtractor(ClassifierFeatureNetwork network, string name, Device device, int batchSize)
    {
        _network = network;
        Name = name;
        Device = device;
        _batchSize = batchSize;
        _network.eval();
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int Dimension => _network.FeatureDimension;

    /// <summary>Image shape [C, H, W] the classifier was trained on.</summary>
    public long[] SampleShape => _network.SampleShape.ToArray();

    /// <summary>Number of classes.</summary>
    public int ClassCount => _network.ClassCount;

    /// <summary>The device the network runs on.</summary>
    public Device Device { get; }

    /// <summary>The feature name for a data set, e.g. "fashion-mnist-classifier-v1".</summary>
    public static string FeatureName(string datasetName) => $"{Sanitize(datasetName)}-classifier-v{ClassifierFeatureOptions.Version}";

    /// <inheritdoc />
    public Tensor Extract(Tensor images)
    {
        CheckImages(images);
        return FeatureExtraction.InBatches(images, _batchSize, b => _network.Features(b.to(ScalarType.Float32, Device)));
    }

    /// <summary>Predicted classes of images [N, C, H, W] in [0, 1]: int64 [N] on the CPU.</summary>
    public Tensor Predict(Tensor images)
    {
        CheckImages(images);
        using var scope = torch.NewDisposeScope();
        var logits = FeatureExtraction.InBatches(images, _batchSize, b => _network.forward(b.to(ScalarType.Float32, Device)));
        return logits.argmax(1).MoveToOuterDisposeScope();
    }

    /// <summary>Classification accuracy on a labelled data set.</summary>
    public double Accuracy(TensorDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Labels is null) throw new ArgumentException("Accuracy needs a labelled data set.", nameof(data));
        using var scope = torch.NewDisposeScope();
        return LabelledCodes.Accuracy(Predict(data.Features), data.Labels);
    }

    /// <summary>
    /// Loads the cached classifier for this data set and recipe, or trains it on <paramref name="train"/>
    /// (labelled images [N, C, H, W] in [0, 1]) and caches it; then measures its accuracy on <paramref name="test"/>.
    /// An unreadable or mismatched cache file is replaced by a newly trained one.
    /// </summary>
    /// <param name="datasetName">Data set name used in the feature name and cache file, e.g. "fashion-mnist".</param>
    /// <param name="train">Training split (labels required).</param>
    /// <param name="test">Test split (labels required).</param>
    /// <param name="options">Training and cache settings (defaults of <see cref="ClassifierFeatureOptions"/>).</param>
    /// <param name="progress">Receives a line per epoch while training.</param>
    public static ClassifierFeatureResult GetOrTrain(string datasetName, TensorDataset train, TensorDataset test,
        ClassifierFeatureOptions? options = null, IProgress<string>? progress = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(datasetName);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        var opts = options ?? new ClassifierFeatureOptions();
        opts.Validate();
        if (train.Labels is null) throw new ArgumentException("The training split has no labels; the classifier needs them.", nameof(train));
        if (test.Labels is null) throw new ArgumentException("The test split has no labels; the classifier's accuracy needs them.", nameof(test));
        if (!train.SampleShape.AsSpan().SequenceEqual(test.SampleShape))
            throw new ArgumentException(
                $"Training images are {FeatureExtraction.Describe(train.SampleShape)} but test images are {FeatureExtraction.Describe(test.SampleShape)}.", nameof(test));
        int classes;
        using (torch.NewDisposeScope()) classes = LabelledCodes.Validate(train.Features.reshape(train.Count, -1), train.Labels);

        string key = CacheKey(datasetName, opts, train, classes);
        string path = Path.Combine(opts.ResolveCacheDirectory(), $"{FeatureName(datasetName)}-{Hash(key)}.safetensors");
        ClassifierFeatureExtractor? extractor = TryLoad(path, key, opts);
        bool fromCache = extractor is not null;
        if (extractor is null)
        {
            extractor = Train(datasetName, train, classes, opts, progress);
            try { extractor.Save(path, key); }
            catch { extractor.Dispose(); throw; }
        }
        try
        {
            return new ClassifierFeatureResult(extractor, extractor.Accuracy(test), fromCache, path);
        }
        catch
        {
            extractor.Dispose();
            throw;
        }
    }

    /// <summary>Loads a classifier file written by <see cref="GetOrTrain"/> onto <paramref name="device"/> (the CPU when null).</summary>
    /// <exception cref="InvalidDataException">The file is not a classifier-features file or does not match its network.</exception>
    public static ClassifierFeatureExtractor Load(string path, Device? device = null, int extractionBatchSize = 128)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        device ??= torch.CPU;
        Devices.EnsureAvailable(device);
        if (!File.Exists(path)) throw new FileNotFoundException($"Classifier weights '{path}' do not exist.", path);
        Persistence.RegularFile.Ensure(path, "Classifier weights file");
        var tensors = StateDictIO.Deserialize(File.ReadAllBytes(path), out var metadata);
        try
        {
            string Get(string name) => metadata.TryGetValue(name, out var v) ? v
                : throw new InvalidDataException($"'{path}' lacks the '{name}' entry of a classifier-features file.");
            if (Get("format") != FormatTag) throw new InvalidDataException($"'{path}' is not a classifier-features file.");
            long[] shape = Get("sampleShape").Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            int classes = int.Parse(Get("classes"), CultureInfo.InvariantCulture);
            int features = int.Parse(Get("featureDimension"), CultureInfo.InvariantCulture);
            double dropout = double.Parse(Get("dropout"), CultureInfo.InvariantCulture);
            var network = new ClassifierFeatureNetwork(shape, classes, features, dropout);
            try
            {
                StateDictIO.LoadInto(network, tensors);
                network.to(device);
            }
            catch (ArgumentException e)
            {
                network.Dispose();
                throw new InvalidDataException($"'{path}' does not match the classifier network: {e.Message}", e);
            }
            return new ClassifierFeatureExtractor(network, Get("name"), device, extractionBatchSize);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"'{path}' has a malformed classifier-features header: {e.Message}", e);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>Releases the network.</summary>
    public void Dispose() => _network.Dispose();

    private static ClassifierFeatureExtractor? TryLoad(string path, string key, ClassifierFeatureOptions options)
    {
        if (!File.Exists(path)) return null;
        try
        {
            var bytes = File.ReadAllBytes(path);
            var header = StateDictIO.Deserialize(bytes, out var metadata);
            foreach (var t in header.Values) t.Dispose();
            if (!metadata.TryGetValue("key", out var stored) || stored != key) return null;
            return Load(path, options.Device, options.ExtractionBatchSize);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException)
        {
            return null; // unreadable cache: train again and overwrite
        }
    }

    private static ClassifierFeatureExtractor Train(string datasetName, TensorDataset train, int classes,
        ClassifierFeatureOptions options, IProgress<string>? progress)
    {
        EvaluationData.ManualSeed(options.Seed);
        var network = new ClassifierFeatureNetwork(train.SampleShape, classes, options.FeatureDimension, options.Dropout);
        try
        {
            Devices.EnsureAvailable(options.Device);
            network.to(options.Device);
            network.train();
            using var optimizer = torch.optim.Adam(network.parameters(), options.LearningRate);
            long n = train.Count;
            var clock = Stopwatch.StartNew();
            for (int epoch = 0; epoch < options.Epochs; epoch++)
            {
                double lossSum = 0;
                long batches = 0;
                using var epochScope = torch.NewDisposeScope();
                var order = torch.randperm(n);
                for (long start = 0; start < n; start += options.BatchSize)
                {
                    using var step = torch.NewDisposeScope();
                    var index = order.narrow(0, start, Math.Min(options.BatchSize, n - start));
                    var x = train.Features.index_select(0, index).to(options.Device);
                    var y = train.Labels!.index_select(0, index).to(options.Device);
                    optimizer.zero_grad();
                    var loss = F.cross_entropy(network.forward(x), y);
                    loss.backward();
                    optimizer.step();
                    // Reading the loss every 50 steps keeps the GPU pipeline mostly asynchronous.
                    if (batches++ % 50 == 0) lossSum += loss.item<float>();
                }
                progress?.Report(string.Create(CultureInfo.InvariantCulture,
                    $"{FeatureName(datasetName)}: epoch {epoch + 1}/{options.Epochs}, loss ≈ {lossSum / Math.Ceiling(batches / 50.0):F4}, {clock.Elapsed.TotalSeconds:F0} s"));
            }
            network.eval();
            // Releases the gradients (set to none); the optimizer's zero_grad would only zero them.
            network.zero_grad();
            return new ClassifierFeatureExtractor(network, FeatureName(datasetName), options.Device, options.ExtractionBatchSize);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    private void Save(string path, string key)
    {
        var metadata = new Dictionary<string, string>
        {
            ["format"] = FormatTag,
            ["name"] = Name,
            ["key"] = key,
            ["sampleShape"] = string.Join(",", _network.SampleShape),
            ["classes"] = _network.ClassCount.ToString(CultureInfo.InvariantCulture),
            ["featureDimension"] = _network.FeatureDimension.ToString(CultureInfo.InvariantCulture),
            ["dropout"] = _network.Dropout.ToString("R", CultureInfo.InvariantCulture),
        };
        // Atomic, so a concurrent reader never sees half a file.
        Persistence.AtomicFile.WriteAllBytes(path, StateDictIO.Serialize(_network.state_dict(), metadata));
    }

    private static string CacheKey(string datasetName, ClassifierFeatureOptions options, TensorDataset train, int classes) =>
        string.Create(CultureInfo.InvariantCulture,
            $"dataset={Sanitize(datasetName)};{options.TrainingKey()};train={train.Count};shape={string.Join("x", train.SampleShape)};classes={classes}");

    private static string Hash(string key) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16].ToLowerInvariant();

    // File-name-safe, lower-case data set name ("Fashion MNIST" → "fashion-mnist").
    private static string Sanitize(string name)
    {
        var sb = new StringBuilder();
        foreach (char c in name.Trim().ToLowerInvariant())
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-');
        return sb.ToString();
    }

    private void CheckImages(Tensor images)
    {
        FeatureExtraction.ValidateImages(images);
        if (!images.shape.AsSpan(1).SequenceEqual(_network.SampleShape))
            throw new ArgumentException(
                $"'{Name}' was trained on {FeatureExtraction.Describe(_network.SampleShape)} images, not {FeatureExtraction.Describe(images.shape[1..])}.", nameof(images));
    }
}
