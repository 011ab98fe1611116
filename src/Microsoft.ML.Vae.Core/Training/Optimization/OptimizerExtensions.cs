using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Training.Optimization;

/// <summary>
/// The learning rate of a <see cref="torch.optim.Optimizer"/> as one number, read and written
/// through its parameter groups. The optimizers of this library have one parameter group; when an
/// optimizer has several, <see cref="SetLearningRate"/> sets every group and the getters read the first.
/// </summary>
public static class OptimizerExtensions
{
    /// <summary>The current learning rate (schedules and rollbacks change it).</summary>
    /// <exception cref="NotSupportedException">The optimizer has no parameter groups (a native TorchSharp optimizer such as LBFGS).</exception>
    public static double GetLearningRate(this optim.Optimizer optimizer) => FirstGroup(optimizer).LearningRate;

    /// <summary>Sets the learning rate of every parameter group.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is negative, NaN or infinite.</exception>
    public static void SetLearningRate(this optim.Optimizer optimizer, double learningRate)
    {
        if (!(learningRate >= 0) || double.IsInfinity(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), $"Invalid learning rate {learningRate}.");
        foreach (var group in Groups(optimizer)) group.LearningRate = learningRate;
    }

    /// <summary>The learning rate given at construction (what schedules scale).</summary>
    public static double InitialLearningRate(this optim.Optimizer optimizer) => FirstGroup(optimizer).InitialLearningRate;

    private static IReadOnlyList<optim.ILearningRateController> Groups(optim.Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var groups = optimizer.ParamGroups?.ToList();
        if (groups is null || groups.Count == 0)
            throw new NotSupportedException($"The optimizer {optimizer.GetType().Name} exposes no parameter groups, so its learning rate cannot be read or set.");
        return groups;
    }

    private static optim.ILearningRateController FirstGroup(optim.Optimizer optimizer) => Groups(optimizer)[0];
}
