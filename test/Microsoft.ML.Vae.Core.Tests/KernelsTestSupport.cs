using Microsoft.ML.Vae.Core.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>Helpers of the fused-kernel tests: thread-count and vector-width comparisons, tensor assertions.</summary>
internal static class KernelsTestSupport
{
    /// <summary>
    /// Runs <paramref name="run"/> on one and then two libtorch threads (restoring the thread count after)
    /// and asserts that every output array is bitwise the same.
    /// </summary>
    public static void AssertSameOnOneAndTwoThreads(Func<float[][]> run)
    {
        int threads = torch.get_num_threads();
        float[][] one, two;
        try
        {
            torch.set_num_threads(1);
            one = run();
            torch.set_num_threads(2);
            two = run();
        }
        finally
        {
            torch.set_num_threads(threads);
        }
        Assert.HasCount(one.Length, two);
        for (int i = 0; i < one.Length; i++) CollectionAssert.AreEqual(one[i], two[i], $"output {i}");
    }

    /// <summary>Runs <paramref name="run"/> with the kernels forced to <paramref name="bits"/>-bit vectors.</summary>
    public static T WithVectorBits<T>(int bits, Func<T> run)
    {
        int saved = FusedKernelSupport.ForcedVectorBits;
        try
        {
            FusedKernelSupport.ForcedVectorBits = bits;
            return run();
        }
        finally
        {
            FusedKernelSupport.ForcedVectorBits = saved;
        }
    }

    /// <summary>The elements of a CPU tensor of any floating dtype, as doubles.</summary>
    public static double[] Values(Tensor t)
    {
        using var d = t.detach().cpu().to_type(ScalarType.Float64).contiguous();
        return d.data<double>().ToArray();
    }

    /// <summary>The elements of a float32 CPU tensor.</summary>
    public static float[] Floats(Tensor t)
    {
        using var d = t.detach().cpu().contiguous();
        return d.data<float>().ToArray();
    }

    /// <summary>Asserts two tensors have the same shape and elements within an absolute tolerance (NaN matches NaN).</summary>
    public static void AssertClose(Tensor expected, Tensor actual, double tolerance, string? what = null)
    {
        CollectionAssert.AreEqual(expected.shape, actual.shape, $"{what} shape [{string.Join(", ", actual.shape)}]");
        var e = Values(expected);
        var a = Values(actual);
        for (int i = 0; i < e.Length; i++)
        {
            if (double.IsNaN(e[i])) { Assert.IsTrue(double.IsNaN(a[i]), $"{what} element {i}: expected NaN, got {a[i]}."); continue; }
            Assert.AreEqual(e[i], a[i], tolerance, $"{what} element {i}.");
        }
    }

    /// <summary>The largest absolute element, as a double.</summary>
    public static double MaxAbs(Tensor t) => Values(t).Select(Math.Abs).DefaultIfEmpty(0).Max();

    /// <summary>The largest absolute difference of two tensors of equal shape, as a double.</summary>
    public static double MaxDifference(Tensor a, Tensor b)
    {
        var x = Values(a);
        var y = Values(b);
        Assert.HasCount(x.Length, y);
        double max = 0;
        for (int i = 0; i < x.Length; i++) max = Math.Max(max, Math.Abs(x[i] - y[i]));
        return max;
    }
}

/// <summary>Runs a test only when an environment variable is set to a non-empty value (benchmarks).</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = false)]
internal sealed class EnvironmentVariableConditionAttribute : ConditionBaseAttribute
{
    private readonly string _variable;

    public EnvironmentVariableConditionAttribute(string variable) : base(ConditionMode.Include)
    {
        _variable = variable;
        IgnoreMessage = $"Set {variable}=1 to run.";
    }

    public override bool IsConditionMet => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(_variable));

    public override string GroupName => nameof(EnvironmentVariableConditionAttribute);
}
