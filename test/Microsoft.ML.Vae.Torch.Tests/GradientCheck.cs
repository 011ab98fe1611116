namespace Microsoft.ML.Vae.Torch.Tests;

/// <summary>
/// Compares autograd gradients with central finite differences in float64. The checked scalar is
/// <c>sum(f(inputs) · r)</c> for a random <c>r</c> of the output's shape, so every output element
/// contributes with its own weight (a Jacobian-vector product) and errors cannot cancel out.
/// </summary>
internal static class GradientCheck
{
    /// <summary>Step of the central differences; float64 keeps both truncation and rounding near 1e-10.</summary>
    public const double Step = 1e-6;

    /// <summary>Relative tolerance, scaled by max(1, |numeric derivative|).</summary>
    public const double Tolerance = 1e-6;

    /// <summary>
    /// Asserts that the gradient of every float64 input of <paramref name="f"/> matches finite
    /// differences. Other inputs (integer targets, masks) are passed through unchecked.
    /// </summary>
    public static void Assert(Func<Tensor[], Tensor> f, params Tensor[] inputs) => Assert(f, Tolerance, inputs);

    /// <summary>As <see cref="Assert(Func{Tensor[], Tensor}, Tensor[])"/> with an explicit relative tolerance.</summary>
    public static void Assert(Func<Tensor[], Tensor> f, double tolerance, params Tensor[] inputs)
    {
        using var scope = Torch.NewDisposeScope();
        var checkedInputs = Enumerable.Range(0, inputs.Length).Where(i => inputs[i].DType == DType.Float64).ToArray();
        Microsoft.VisualStudio.TestTools.UnitTesting.Assert.IsNotEmpty(checkedInputs, "Nothing to check: no float64 input.");

        var leaves = inputs.Select((x, i) => checkedInputs.Contains(i) ? x.Detach().RequiresGrad_() : x).ToArray();
        var output = f(leaves);
        Microsoft.VisualStudio.TestTools.UnitTesting.Assert.AreEqual(DType.Float64, output.DType, "The function must keep float64.");
        var weights = Tensor.From(RandomValues(output.NumberOfElements, seed: 99), output.Shape);
        using var loss = (output * weights).Sum();
        var grads = Autograd.Grad([loss], checkedInputs.Select(i => leaves[i]).ToList(), allowUnused: true);

        for (int k = 0; k < checkedInputs.Length; k++)
        {
            int index = checkedInputs[k];
            var analytic = grads[k]?.ToArray<double>() ?? new double[inputs[index].NumberOfElements];
            var numeric = NumericGradient(f, inputs, index, weights);
            Microsoft.VisualStudio.TestTools.UnitTesting.Assert.IsTrue(numeric.Any(v => Math.Abs(v) > 1e-9),
                $"Input {index}: the function does not depend on it, so the check would prove nothing.");
            for (int j = 0; j < numeric.Length; j++)
            {
                double allowed = tolerance * Math.Max(1, Math.Abs(numeric[j]));
                Microsoft.VisualStudio.TestTools.UnitTesting.Assert.AreEqual(numeric[j], analytic[j], allowed,
                    $"d/d input{index}[{j}]: autograd {analytic[j]:R}, finite differences {numeric[j]:R}.");
            }
        }
    }

    private static double[] NumericGradient(Func<Tensor[], Tensor> f, Tensor[] inputs, int index, Tensor weights)
    {
        var values = inputs[index].ToArray<double>();
        var shape = inputs[index].Shape;
        var result = new double[values.Length];
        using var noGrad = Torch.NoGrad();
        for (int j = 0; j < values.Length; j++)
        {
            double original = values[j];
            values[j] = original + Step;
            double plus = Evaluate(f, inputs, index, values, shape, weights);
            values[j] = original - Step;
            double minus = Evaluate(f, inputs, index, values, shape, weights);
            values[j] = original;
            result[j] = (plus - minus) / (2 * Step);
        }
        return result;
    }

    private static double Evaluate(Func<Tensor[], Tensor> f, Tensor[] inputs, int index, double[] values, long[] shape, Tensor weights)
    {
        using var scope = Torch.NewDisposeScope();
        var args = (Tensor[])inputs.Clone();
        args[index] = Tensor.From(values, shape);
        return (f(args) * weights).Sum().Item();
    }

    /// <summary>Deterministic standard-normal-ish values (sum of uniforms), independent of libtorch's generator.</summary>
    public static double[] RandomValues(long count, int seed)
    {
        var random = new Random(seed);
        var v = new double[count];
        for (long i = 0; i < count; i++) v[i] = random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5;
        return v;
    }

    /// <summary>A float64 tensor of deterministic values in [-<paramref name="scale"/>, <paramref name="scale"/>] kept at least <paramref name="margin"/> away from zero (away from kinks).</summary>
    public static Tensor Input(long[] shape, int seed, double scale = 1.0, double margin = 0.0)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        var random = new Random(seed);
        var v = new double[n];
        for (long i = 0; i < n; i++)
        {
            double magnitude = margin + random.NextDouble() * (scale - margin);
            v[i] = random.Next(2) == 0 ? -magnitude : magnitude;
        }
        return Tensor.From(v, shape);
    }

    /// <summary>A float64 tensor of deterministic values in [<paramref name="low"/>, <paramref name="high"/>].</summary>
    public static Tensor Uniform(long[] shape, int seed, double low, double high)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        var random = new Random(seed);
        var v = new double[n];
        for (long i = 0; i < n; i++) v[i] = low + random.NextDouble() * (high - low);
        return Tensor.From(v, shape);
    }
}
