using System.Globalization;

namespace Microsoft.ML.Vae.Core.Priors;

/// <summary>
/// The range a tanh-bounded coupling flow can reach (<see cref="DecoupledFlowPrior.CentreReach"/>) and the
/// check that training runs against it: a posterior centred beyond the reach makes the prior's draws land
/// away from every encoding, whatever the flow learns.
/// </summary>
public static class FlowReach
{
    /// <summary>
    /// Per coordinate, 1 + e + … + e^(m−1) where m is the number of blocks (masks in generation order) that
    /// transform the coordinate (mask entry 0); 0 for a coordinate no block transforms.
    /// </summary>
    public static double[] CentreReach(IReadOnlyList<IReadOnlyList<float>> masks)
    {
        ArgumentNullException.ThrowIfNull(masks);
        if (masks.Count == 0) throw new ArgumentException("The flow needs at least one block.", nameof(masks));
        int d = masks[0].Count;
        var reach = new double[d];
        for (int j = 0; j < d; j++)
        {
            // Starting from 0: after each transforming block |u| < |u|·e + 1.
            double bound = 0;
            foreach (var mask in masks)
                if (mask[j] == 0f) bound = bound * Math.E + 1;
            reach[j] = bound;
        }
        return reach;
    }

    /// <summary>
    /// A warning when some coordinate of <paramref name="posteriorCentre"/> (the mean of the posterior means)
    /// lies beyond <paramref name="reach"/>, or null when none does (NaN coordinates are left to the NaN guard).
    /// </summary>
    public static string? Check(IReadOnlyList<double> posteriorCentre, IReadOnlyList<double> reach)
    {
        ArgumentNullException.ThrowIfNull(posteriorCentre);
        ArgumentNullException.ThrowIfNull(reach);
        if (posteriorCentre.Count != reach.Count)
            throw new ArgumentException($"The centre has {posteriorCentre.Count} coordinates, the reach {reach.Count}.", nameof(reach));
        // A non-finite centre is the trainer's NaN guard's business, not a reach problem.
        var beyond = Enumerable.Range(0, reach.Count).Where(j => double.IsFinite(posteriorCentre[j]) && Math.Abs(posteriorCentre[j]) > reach[j]).ToArray();
        if (beyond.Length == 0) return null;
        static string F(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
        string where = string.Join(", ", beyond.Take(4).Select(j => $"z{j} = {F(posteriorCentre[j])} (reach ±{F(reach[j])})"));
        return $"Warning: the posterior has left the range the decoupled prior's flow can reach: its centre lies at {where}{(beyond.Length > 4 ? ", …" : "")}. " +
               "Prior samples will land away from every encoding and decode poorly; lower the learning rate, and measure the prior's coverage with the flow-fit diagnostics.";
    }
}
