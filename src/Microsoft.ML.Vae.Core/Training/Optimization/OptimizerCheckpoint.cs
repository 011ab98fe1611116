using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Training.Optimization;

/// <summary>One named tensor of an optimizer's checkpointable state, as <see cref="OptimizerCheckpoint.Entries"/> describes it.</summary>
/// <param name="Name">The name, "&lt;parameter index&gt;.&lt;field&gt;" (e.g. "3.exp_avg", "3.step").</param>
/// <param name="Shape">The expected shape (the parameter's, or [] for a step count).</param>
/// <param name="DType">The element type the optimizer keeps it in.</param>
/// <param name="Required">False for state that may legitimately be absent (an SGD momentum buffer before the first update).</param>
public sealed record OptimizerStateEntry(string Name, long[] Shape, ScalarType DType, bool Required);

/// <summary>
/// Export and import of the per-parameter state of TorchSharp's Adam, AdamW and SGD (and of
/// <see cref="FusedAdam"/> and <see cref="FusedAdamW"/>), as named tensors that checkpoints store.
/// A fresh optimizer over the same parameters that imports an export continues bit for bit as the
/// exporting one would have.
/// </summary>
/// <remarks>
/// Parameters are numbered in the optimizer's order (parameter groups in order, parameters in
/// each group in order). Names per parameter <c>i</c>:
/// Adam and AdamW: <c>i.exp_avg</c>, <c>i.exp_avg_sq</c>, <c>i.max_exp_avg_sq</c> (only with amsgrad)
/// and <c>i.step</c> (an int64 scalar: the parameter's own update count, which drives the bias
/// correction); SGD with momentum: <c>i.momentum_buffer</c> once the buffer exists. Learning rates
/// are not part of this state (see <see cref="OptimizerExtensions"/>).
/// </remarks>
public static class OptimizerCheckpoint
{
    /// <summary>The names, shapes and element types that <see cref="Export"/> produces and <see cref="Import"/> accepts.</summary>
    /// <exception cref="NotSupportedException">The optimizer is not one of the supported kinds.</exception>
    public static IReadOnlyList<OptimizerStateEntry> Entries(optim.Optimizer optimizer)
    {
        var entries = new List<OptimizerStateEntry>();
        foreach (var slot in Slots(optimizer))
        {
            var shape = slot.Parameter.shape;
            var dtype = slot.Parameter.dtype;
            switch (slot.State)
            {
                case Adam.State or AdamW.State:
                    entries.Add(new($"{slot.Index}.exp_avg", shape, dtype, true));
                    entries.Add(new($"{slot.Index}.exp_avg_sq", shape, dtype, true));
                    if (AmsGrad(slot.Options)) entries.Add(new($"{slot.Index}.max_exp_avg_sq", shape, dtype, true));
                    entries.Add(new($"{slot.Index}.step", [], ScalarType.Int64, true));
                    break;
                case SGD.State:
                    if (((SGD.Options)slot.Options).momentum is not (null or 0.0))
                        entries.Add(new($"{slot.Index}.momentum_buffer", shape, dtype, false));
                    break;
            }
        }
        return entries;
    }

    /// <summary>
    /// A copy of the optimizer's state: new tensors on the state's device, owned by the caller
    /// (they join the caller's dispose scope, if one is open).
    /// </summary>
    /// <exception cref="NotSupportedException">The optimizer is not one of the supported kinds.</exception>
    public static Dictionary<string, Tensor> Export(optim.Optimizer optimizer)
    {
        var slots = Slots(optimizer);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            using var noGrad = torch.no_grad();
            foreach (var slot in slots)
            {
                string key(string field) => $"{slot.Index}.{field}";
                switch (slot.State)
                {
                    case Adam.State s:
                        AddMoments(result, slot.Index, s.exp_avg, s.exp_avg_sq, s.max_exp_avg_sq, s.step);
                        break;
                    case AdamW.State s:
                        AddMoments(result, slot.Index, s.exp_avg, s.exp_avg_sq, s.max_exp_avg_sq, s.step);
                        break;
                    case SGD.State s when s.momentum_buffer is not null:
                        result[key("momentum_buffer")] = s.momentum_buffer.clone();
                        break;
                }
            }
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        return result;
    }

    /// <summary>
    /// Replaces the optimizer's state with <paramref name="state"/> (as <see cref="Export"/> made it;
    /// the tensors are copied, not kept). Everything is validated before anything changes.
    /// </summary>
    /// <exception cref="ArgumentException">A required entry is missing, an entry is unknown, or a shape or step count is invalid.</exception>
    /// <exception cref="NotSupportedException">The optimizer is not one of the supported kinds.</exception>
    public static void Import(optim.Optimizer optimizer, IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var slots = Slots(optimizer);
        var expected = Entries(optimizer).ToDictionary(e => e.Name, StringComparer.Ordinal);
        foreach (var name in state.Keys)
            if (!expected.ContainsKey(name))
                throw new ArgumentException($"Optimizer state '{name}' is not part of the state of this {optimizer.GetType().Name} optimizer.", nameof(state));
        var steps = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, e) in expected)
        {
            if (!state.TryGetValue(name, out var src))
            {
                if (e.Required) throw new ArgumentException($"Optimizer state '{name}' is missing from the checkpoint.", nameof(state));
                continue;
            }
            if (src is null || src.IsInvalid) throw new ArgumentException($"Optimizer state '{name}' is null or disposed.", nameof(state));
            if (name.EndsWith(".step", StringComparison.Ordinal))
            {
                steps[name] = ReadStep(name, src);
                continue;
            }
            if (!src.shape.SequenceEqual(e.Shape))
                throw new ArgumentException($"Optimizer state '{name}' has shape [{string.Join(", ", src.shape)}], expected [{string.Join(", ", e.Shape)}].", nameof(state));
        }

        using var noGrad = torch.no_grad();
        foreach (var slot in slots)
        {
            Tensor? Get(string field) => state.TryGetValue($"{slot.Index}.{field}", out var t) ? t : null;
            switch (slot.State)
            {
                case Adam.State s:
                    s.exp_avg.copy_(Get("exp_avg")!);
                    s.exp_avg_sq.copy_(Get("exp_avg_sq")!);
                    s.max_exp_avg_sq?.copy_(Get("max_exp_avg_sq")!);
                    s.step = steps[$"{slot.Index}.step"];
                    break;
                case AdamW.State s:
                    s.exp_avg.copy_(Get("exp_avg")!);
                    s.exp_avg_sq.copy_(Get("exp_avg_sq")!);
                    s.max_exp_avg_sq?.copy_(Get("max_exp_avg_sq")!);
                    s.step = steps[$"{slot.Index}.step"];
                    break;
                case SGD.State s:
                    var buffer = Get("momentum_buffer");
                    if (buffer is null)
                    {
                        s.momentum_buffer?.Dispose();
                        s.momentum_buffer = null;
                    }
                    else if (s.momentum_buffer is null)
                    {
                        s.momentum_buffer = torch.empty_like(slot.Parameter).copy_(buffer).DetachFromDisposeScope();
                    }
                    else
                    {
                        s.momentum_buffer.copy_(buffer);
                    }
                    break;
            }
        }
    }

    /// <summary>
    /// The number of updates taken: the largest per-parameter step count of an Adam or AdamW
    /// optimizer (parameters without a gradient at some step lag behind).
    /// </summary>
    /// <exception cref="NotSupportedException">The optimizer keeps no step count (SGD) or is not a supported kind.</exception>
    public static long StepCount(optim.Optimizer optimizer)
    {
        long max = 0;
        foreach (var slot in Slots(optimizer))
        {
            max = Math.Max(max, slot.State switch
            {
                Adam.State s => s.step,
                AdamW.State s => s.step,
                _ => throw new NotSupportedException($"The {optimizer.GetType().Name} optimizer keeps no step count."),
            });
        }
        return max;
    }

    /// <summary>True when <see cref="StepCount"/> is defined for <paramref name="optimizer"/> (Adam and AdamW).</summary>
    public static bool HasStepCount(optim.Optimizer optimizer) => optimizer is Adam or AdamW;

    /// <summary>Returns the optimizer to its freshly constructed state: zero moments and step counts, no momentum buffers.</summary>
    /// <exception cref="NotSupportedException">The optimizer is not one of the supported kinds.</exception>
    public static void Reset(optim.Optimizer optimizer)
    {
        foreach (var slot in Slots(optimizer)) slot.State.Initialize(slot.Options);
    }

    // ---- helpers

    private sealed record Slot(int Index, Parameter Parameter, OptimizerState State, OptimizerOptions Options);

    private static List<Slot> Slots(optim.Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (optimizer is not (Adam or AdamW or SGD))
            throw new NotSupportedException(
                $"Optimizer checkpoints support torch.optim.Adam, AdamW and SGD (and {nameof(FusedAdam)}, {nameof(FusedAdamW)}), not {optimizer.GetType().Name}.");
        var helper = (OptimizerHelper)optimizer;
        var dict = helper.state_dict();
        var parameters = helper.parameters().ToList();
        if (parameters.Count != dict.State.Count)
            throw new InvalidOperationException($"The optimizer lists {parameters.Count} parameters but holds {dict.State.Count} states.");
        var slots = new List<Slot>(parameters.Count);
        for (int g = 0; g < dict.StateIndexRef.Count; g++)
            foreach (int i in dict.StateIndexRef[g])
                slots.Add(new Slot(i, parameters[i], dict.State[i], dict.Options[g]));
        slots.Sort((a, b) => a.Index.CompareTo(b.Index));
        return slots;
    }

    private static bool AmsGrad(OptimizerOptions options) => options switch
    {
        Adam.Options o => o.amsgrad == true,
        AdamW.Options o => o.amsgrad == true,
        _ => false,
    };

    private static void AddMoments(Dictionary<string, Tensor> result, int index, Tensor expAvg, Tensor expAvgSq, Tensor? maxExpAvgSq, long step)
    {
        result[$"{index}.exp_avg"] = expAvg.clone();
        result[$"{index}.exp_avg_sq"] = expAvgSq.clone();
        if (maxExpAvgSq is not null) result[$"{index}.max_exp_avg_sq"] = maxExpAvgSq.clone();
        result[$"{index}.step"] = torch.tensor(step, ScalarType.Int64);
    }

    private static long ReadStep(string name, Tensor t)
    {
        if (t.numel() != 1 || !torch.is_integral(t.dtype) || t.dtype == ScalarType.Bool)
            throw new ArgumentException($"Optimizer state '{name}' must be one integer (a step count), not a {t.dtype} tensor of shape [{string.Join(", ", t.shape)}].");
        using var asLong = t.to(ScalarType.Int64, torch.CPU);
        long step = asLong.item<long>();
        if (step < 0)
            throw new ArgumentException($"Optimizer state '{name}' is a negative step count ({step.ToString(CultureInfo.InvariantCulture)}).");
        return step;
    }
}
